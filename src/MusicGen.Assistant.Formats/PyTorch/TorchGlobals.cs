namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// The only globals a tensor checkpoint's pickle may name, and what "calling" each one means here. Python's unpickler
/// imports and calls whatever a pickle names (os.system included); this list is closed, every call is a C# stand-in
/// that builds plain data, and anything else is refused when its GLOBAL opcode is read.
/// </summary>
internal static class TorchGlobals
{
    private enum Kind
    {
        OrderedDict,
        RebuildTensorV2,
        RebuildParameter,
        RebuildParameterWithState,
        RebuildFromTypeV2,
        TensorType,
        Size,
        CodecsEncode,
        Namespace,
        Storage,
    }

    private static readonly Dictionary<string, Kind> Allowed = new(StringComparer.Ordinal)
    {
        ["collections.OrderedDict"] = Kind.OrderedDict,
        ["torch._utils._rebuild_tensor_v2"] = Kind.RebuildTensorV2,
        ["torch._utils._rebuild_parameter"] = Kind.RebuildParameter,
        ["torch._utils._rebuild_parameter_with_state"] = Kind.RebuildParameterWithState,
        ["torch._tensor._rebuild_from_type_v2"] = Kind.RebuildFromTypeV2,
        ["torch.Tensor"] = Kind.TensorType,
        ["torch.nn.parameter.Parameter"] = Kind.TensorType,
        ["torch.Size"] = Kind.Size,
        // Protocol 2 spells a bytes object as _codecs.encode(text, 'latin1').
        ["_codecs.encode"] = Kind.CodecsEncode,
        // M2UGen's misc.save_model stores the training arguments (an argparse.Namespace) beside the weights.
        ["argparse.Namespace"] = Kind.Namespace,
    };

    /// <summary>The allowed global "<paramref name="module"/>.<paramref name="name"/>", or null when it is refused.</summary>
    public static PickleGlobal? Resolve(string module, string name)
    {
        string full = module + "." + name;
        if (Allowed.ContainsKey(full) || (module == "torch" && TorchStorageTypes.TryGetDType(name, out _)))
        {
            return new PickleGlobal(module, name);
        }
        return null;
    }

    /// <summary>Why <paramref name="fullName"/> is refused, with the allowed list.</summary>
    public static string RefusalReason(string fullName)
    {
        string kind = fullName.StartsWith("torch.", StringComparison.Ordinal) && fullName.EndsWith("Storage", StringComparison.Ordinal)
            ? $"its storage type is not supported (supported: {TorchStorageTypes.KnownNames})"
            : "it is not on the list of globals a tensor checkpoint needs";
        return $"the pickle names the global '{fullName}', which is refused because {kind}. Loading stopped before anything " +
               $"was built from it. Allowed: {string.Join(", ", Allowed.Keys)} and the torch.*Storage types.";
    }

    /// <summary>REDUCE: <paramref name="callable"/>(*<paramref name="args"/>).</summary>
    public static object? Call(PickleGlobal callable, PickleTuple args)
    {
        switch (KindOf(callable))
        {
            case Kind.OrderedDict:
                return NewOrderedDict(args);
            case Kind.RebuildTensorV2:
                return RebuildTensorV2(args);
            case Kind.RebuildParameter:
                Arity(callable, args, 3, 3);
                return Tensor(callable, args, 0);
            case Kind.RebuildParameterWithState:
                Arity(callable, args, 4, 4);
                return Tensor(callable, args, 0);
            case Kind.RebuildFromTypeV2:
                return RebuildFromTypeV2(callable, args);
            case Kind.Size:
                Arity(callable, args, 1, 1);
                return args[0] is PickleTuple dims ? dims : throw Bad(callable, $"expects a tuple, got {PickleText.TypeOf(args[0])}");
            case Kind.CodecsEncode:
                return Encode(callable, args);
            case Kind.Namespace:
                Arity(callable, args, 0, 0);
                return new PickleObject(callable.FullName);
            default:
                throw Bad(callable, "cannot be called; it is only valid as an argument (a tensor type or a persistent id's storage type)");
        }
    }

    /// <summary>NEWOBJ: <paramref name="type"/>.__new__(type, *args); only plain-data classes may be created this way.</summary>
    public static object NewObject(PickleGlobal type, PickleTuple args) => KindOf(type) switch
    {
        Kind.OrderedDict => NewOrderedDict(args),
        Kind.Namespace when args.Count == 0 => new PickleObject(type.FullName),
        _ => throw Bad(type, $"cannot be instantiated with NEWOBJ and {PickleArgs(args)}"),
    };

    private static Kind KindOf(PickleGlobal global) =>
        Allowed.TryGetValue(global.FullName, out Kind kind) ? kind
        : global.Module == "torch" && TorchStorageTypes.TryGetDType(global.Name, out _) ? Kind.Storage
        : throw new InvalidOperationException($"'{global.FullName}' was not resolved through the allowed list.");

    private static PickleDict NewOrderedDict(PickleTuple args)
    {
        var dict = new PickleDict("collections.OrderedDict");
        if (args.Count == 0)
        {
            return dict;
        }
        if (args.Count == 1 && args[0] is List<object?> or PickleTuple)
        {
            IEnumerable<object?> pairs = args[0] is List<object?> list ? list : ((PickleTuple)args[0]!).Items;
            foreach (object? pair in pairs)
            {
                if (pair is not PickleTuple { Count: 2 } kv || !PickleKeyComparer.IsHashable(kv[0]))
                {
                    throw new InvalidDataException($"collections.OrderedDict expects (key, value) pairs with hashable keys, got {PickleText.Describe(pair)}.");
                }
                dict.Set(kv[0]!, kv[1]);
            }
            return dict;
        }
        throw new InvalidDataException($"collections.OrderedDict called with {PickleArgs(args)}; expected no arguments or a list of pairs.");
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static TorchTensorView RebuildTensorV2(PickleTuple args)
    {
        const string name = "torch._utils._rebuild_tensor_v2";
        if (args.Count is < 6 or > 7)
        {
            throw new InvalidDataException($"{name} takes 6 or 7 arguments, got {args.Count}.");
        }
        if (args[0] is not TorchStorageRef storage)
        {
            throw new InvalidDataException($"{name}: argument 1 must be a storage (persistent id), got {PickleText.TypeOf(args[0])}.");
        }
        long offset = Integer(name, "storage_offset", args[1]);
        long[] shape = Integers(name, "size", args[2]);
        long[] stride = Integers(name, "stride", args[3]);
        if (args[4] is not bool requiresGrad)
        {
            throw new InvalidDataException($"{name}: requires_grad must be a bool, got {PickleText.TypeOf(args[4])}.");
        }
        if (args[5] is not (PickleDict or null))
        {
            throw new InvalidDataException($"{name}: backward_hooks must be a dict, got {PickleText.TypeOf(args[5])}.");
        }
        // Backward hooks and python-level metadata do not affect the stored values, so they are ignored.
        return new TorchTensorView(storage, offset, shape, stride, requiresGrad);
    }

    // _rebuild_from_type_v2(func, new_type, args, state): func(*args), then retyped (Parameter -> plain tensor here).
    private static object? RebuildFromTypeV2(PickleGlobal callable, PickleTuple args)
    {
        Arity(callable, args, 4, 4);
        if (args[0] is not PickleGlobal func)
        {
            throw Bad(callable, $"argument 1 must be a function, got {PickleText.TypeOf(args[0])}");
        }
        if (args[1] is not PickleGlobal type || KindOf(type) != Kind.TensorType)
        {
            throw Bad(callable, $"argument 2 must be torch.Tensor or torch.nn.parameter.Parameter, got {PickleText.Describe(args[1])}");
        }
        if (args[2] is not PickleTuple innerArgs)
        {
            throw Bad(callable, $"argument 3 must be a tuple, got {PickleText.TypeOf(args[2])}");
        }
        object? result = Call(func, innerArgs);
        return result is TorchTensorView ? result : throw Bad(callable, $"'{func.FullName}' did not produce a tensor");
    }

    private static byte[] Encode(PickleGlobal callable, PickleTuple args)
    {
        Arity(callable, args, 2, 2);
        if (args[0] is not string text || args[1] is not string encoding)
        {
            throw Bad(callable, $"expects (str, str), got {PickleArgs(args)}");
        }
        if (encoding is not ("latin1" or "latin-1" or "iso-8859-1"))
        {
            throw Bad(callable, $"encoding '{encoding}' is not supported (protocol 2 writes bytes as latin1)");
        }
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            bytes[i] = text[i] <= 0xFF ? (byte)text[i] : throw Bad(callable, "the text has a character outside latin1");
        }
        return bytes;
    }

    private static TorchTensorView Tensor(PickleGlobal callable, PickleTuple args, int index) =>
        args[index] as TorchTensorView ?? throw Bad(callable, $"argument {index + 1} must be a tensor, got {PickleText.TypeOf(args[index])}");

    private static void Arity(PickleGlobal callable, PickleTuple args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
        {
            throw Bad(callable, $"takes {(min == max ? min.ToString() : $"{min} to {max}")} arguments, got {args.Count}");
        }
    }

    private static long Integer(string function, string what, object? value) => value switch
    {
        long v when v >= 0 => v,
        _ => throw new InvalidDataException($"{function}: {what} must be a non-negative int, got {PickleText.Describe(value)}."),
    };

    private static long[] Integers(string function, string what, object? value)
    {
        if (value is not PickleTuple tuple)
        {
            throw new InvalidDataException($"{function}: {what} must be a tuple of ints, got {PickleText.TypeOf(value)}.");
        }
        var result = new long[tuple.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Integer(function, $"{what}[{i}]", tuple[i]);
        }
        return result;
    }

    private static string PickleArgs(PickleTuple args) => args.Count == 0 ? "no arguments" : "arguments " + args;

    private static InvalidDataException Bad(PickleGlobal callable, string problem) => new($"{callable.FullName} {problem}.");
}
