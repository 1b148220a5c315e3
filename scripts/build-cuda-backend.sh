#!/usr/bin/env bash
# Builds ggml (only ggml, not llama.cpp) from the exact llama.cpp source pinned in natives.lock, for a machine
# whose CUDA toolkit differs from the prebuilt package's (CUDA 13) or that needs another GPU architecture.
# Output: <cache>/natives/linux-x64-cuda-src/ with libggml-base.so, libggml.so, libggml-cpu-*.so, libggml-cuda.so,
# named as a user's own build names them (libggml.so, not libggml.v0.5.0.so). The last stdout line is that
# directory: pass it as MGA_NATIVES.
#
# Environment:
#   MGA_CUDA=OFF        build the CPU backends only, into <cache>/natives/linux-x64-src/ (no CUDA toolkit needed)
#   MGA_CUDA_ARCH=90    CMAKE_CUDA_ARCHITECTURES (90 = H100/H200; e.g. "89" for Ada, "80;90" for both)
#   MGA_BUILD_JOBS=N    parallel compile jobs (default: all cores)
#   MGA_CACHE=DIR       cache root (default <repo>/.cache)
# Extra arguments are passed to the cmake configure step, e.g. -DGGML_CUDA_FA_ALL_QUANTS=ON.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

log() { printf 'build-cuda-backend: %s\n' "$*" >&2; }
die() { printf 'build-cuda-backend: error: %s\n' "$*" >&2; exit 1; }

cuda="${MGA_CUDA:-ON}"
case "${cuda^^}" in
  ON|1|TRUE|YES) cuda=ON ;;
  OFF|0|FALSE|NO) cuda=OFF ;;
  *) die "MGA_CUDA must be ON or OFF, got '$cuda'" ;;
esac
cuda_arch="${MGA_CUDA_ARCH:-90}"
jobs="${MGA_BUILD_JOBS:-$(nproc)}"
cache_root="${MGA_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$cache_root"
cache_root="$(cd "$cache_root" && pwd)"

for tool in git cmake c++; do
  command -v "$tool" >/dev/null || die "'$tool' not found on PATH (Debian: apt-get install -y git cmake g++)"
done
if [[ "$cuda" == ON ]] && ! command -v nvcc >/dev/null; then
  # The CUDA toolkit installs outside PATH by default.
  [[ -x /usr/local/cuda/bin/nvcc ]] && export PATH="/usr/local/cuda/bin:$PATH"
  command -v nvcc >/dev/null \
    || die "nvcc not found (install the CUDA toolkit, or set MGA_CUDA=OFF for a CPU-only build)"
fi

# 1. The pinned, checksum-verified source bundle.
bundle="$("$SCRIPT_DIR/fetch-natives.sh" source --cache "$cache_root")"
version="$(basename "$(dirname "$bundle")")"
bundle_head="$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" { print $1 }')"
[[ -n "$bundle_head" ]] || die "no HEAD in $bundle"

src="$cache_root/build/llama.cpp-$version"
if [[ -d "$src/.git" && "$(git -C "$src" rev-parse HEAD 2>/dev/null)" == "$bundle_head" ]]; then
  log "source already cloned at $src ($bundle_head)"
else
  log "cloning $bundle into $src"
  rm -rf "$src"
  mkdir -p "$(dirname "$src")"
  git clone --quiet "$bundle" "$src"
  git -C "$src" -c advice.detachedHead=false checkout --quiet "$bundle_head"
fi
[[ -f "$src/ggml/CMakeLists.txt" ]] || die "$src/ggml/CMakeLists.txt missing: not a llama.cpp tree?"

# 2. Configure and build ggml alone. The bundle lacks ggml/ggml.pc.in, which ggml's CMakeLists.txt needs only
# when it is the top-level project, so a three-line wrapper project includes ggml as a subdirectory instead.
# GGML_NATIVE must be OFF with GGML_BACKEND_DL (the CPU variants carry their own ISA flags); OpenMP off matches
# the prebuilt packages, which use ggml's own thread pool.
if [[ "$cuda" == ON ]]; then
  flavour="cuda"; out_name="linux-x64-cuda-src"
else
  flavour="cpu"; out_name="linux-x64-src"
fi
build="$cache_root/build/ggml-$flavour-$version"
wrapper="$cache_root/build/ggml-wrapper-$version"
mkdir -p "$wrapper"
cat >"$wrapper/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(mga_ggml C CXX)
add_subdirectory("$src/ggml" ggml)
EOF
cmake_args=(
  -S "$wrapper" -B "$build"
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=ON
  -DGGML_BACKEND_DL=ON
  -DGGML_CPU_ALL_VARIANTS=ON
  -DGGML_NATIVE=OFF
  -DGGML_OPENMP=OFF
  -DGGML_BUILD_TESTS=OFF
  -DGGML_BUILD_EXAMPLES=OFF
  -DGGML_CUDA="$cuda"
  # RUNPATH $ORIGIN (as in the prebuilt packages) instead of build-tree paths, so the copied libraries find
  # each other; directories of outside libraries they link (the CUDA toolkit's) are kept.
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON
  "-DCMAKE_INSTALL_RPATH=\$ORIGIN"
  -DCMAKE_INSTALL_RPATH_USE_LINK_PATH=ON
)
[[ "$cuda" == ON ]] && cmake_args+=(-DCMAKE_CUDA_ARCHITECTURES="$cuda_arch")
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then
  cmake_args+=(-G Ninja)
fi
cmake_args+=("$@")

if [[ "$cuda" == ON ]]; then what="CUDA arch $cuda_arch"; else what="CPU only"; fi
log "configuring ggml ($what) in $build"
cmake "${cmake_args[@]}" >&2
log "building with $jobs job(s)"
cmake --build "$build" --config Release -j "$jobs" >&2

# 3. Copy the libraries, keeping the soname symlinks (libggml.so -> libggml.so.0 -> libggml.so.0.x.y): the
# loader resolves DT_NEEDED entries such as libggml-base.so.0 through them.
out="$cache_root/natives/$out_name"
rm -rf "$out"
mkdir -p "$out"
patterns=('libggml-base.so*' 'libggml.so*' 'libggml-cpu*.so*')
[[ "$cuda" == ON ]] && patterns+=('libggml-cuda.so*')
for pattern in "${patterns[@]}"; do
  mapfile -t found < <(find "$build" -path "$build/CMakeFiles" -prune -o -name "$pattern" -print)
  [[ ${#found[@]} -gt 0 ]] || die "build produced no $pattern under $build"
  cp -a "${found[@]}" "$out/"
done
{
  echo "source: node-llama-cpp@$version gitRelease.bundle, commit $bundle_head"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m), $(c++ --version | head -n1)"
  [[ "$cuda" == ON ]] && echo "cuda: $(nvcc --version | tail -n1), arch $cuda_arch"
  echo "cmake: ${cmake_args[*]}"
} >"$out/build-info.txt"

log "libraries in $out:"
ls -l "$out" >&2
log "use them with: export MGA_NATIVES=$out"
printf '%s\n' "$out"
