"""Benchmark the return to a conversation (issue #14): saved KV states.

    python -m bench.return [--threads 2] [--history 2000] [--switch-history 1000]
    python -m bench.return --small        # SmolLM2-135M instead of the R1 shape

Not a test: one run, printed ratios. In a fresh data folder (PONDER_HOME) it
stores conversations of scripted turns (words that are one token each) and
measures the time to first token (the reply's own `ttft_s`, from the request
to its first token: prompt fitting, any state restore and the prompt
evaluation) of

1. a stored conversation of ~`--history` tokens continued with
   `ponder chat --conversation ID` in a new process: once with no saved state
   (the whole history is read) and then `--rounds` times again, a new process
   each time, with the state saved before;
2. the same conversation open in the bench's own process (warm), one turn
   after each of those new processes (plus an unmeasured turn that takes in
   what the new process added), so a change in the machine's load touches the
   restart and the warm case alike;
3. `--switches` switches between two open conversations of
   ~`--switch-history` tokens each (their states restored from memory), each
   followed by a warm turn in the conversation switched to; mean over mean.

Each turn adds one short question (about 15 tokens) and a 4-token reply, so
every case evaluates the same new text. It also prints the saved file's size
against tokens x KV bytes per token (f16) and the restore time per MB.
Each target prints one line `NAME: VALUE (target OP VALUE) PASS|MISS`. The
R1-1.5B-shaped random-weight Q4_K_M GGUF is the one bench/engine.py builds
and caches under ~/.cache/ponder-bench.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/return.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core import paths
from app.core.types import Finished, GenerateOptions, SamplingParams
from app.engine.kv_files import state_files
from app.services.host import ModelHost
from app.services.loading import ModelLoader, ModelSource
from app.services.replies import ReplyService
from app.services.states import states_folder
from app.store import ChatStore
from app.store.settings import Settings
from bench._decode import WORDS, verdict_line

CLI = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"
REPLY_TOKENS = 4
QUESTION_WORDS = 14


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _r1_model(threads: int) -> Path:
    from bench._llamacpp import cache_dir

    cached = cache_dir() / "r1-distill-qwen-1.5b-shape-random-Q4_K_M.gguf"
    if cached.exists():
        return cached
    from bench._llamacpp import ensure_tools
    from bench.engine import r1_shaped_model

    return r1_shaped_model(ensure_tools(), threads)


def _small_model() -> Path:
    from bench.engine import smollm2_model

    return smollm2_model()


class Words:
    """Scripted text: common words, one token each after a space."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def text(self, n: int) -> str:
        return " ".join(self._rng.choice(WORDS) for _ in range(n))

    def question(self) -> str:
        return "Tell me more about " + self.text(QUESTION_WORDS) + "?"


def store_conversation(store: ChatStore, words: Words, tokens: int, title: str) -> int:
    """A conversation of ~`tokens` prompt tokens in four exchanges; its id."""
    conversation = store.create_conversation(title).id
    per_message = max(8, tokens // 8 - 6)  # ~6 tokens of template glue per message
    for _ in range(4):
        user = store.add_user_message(conversation, words.text(per_message))
        store.add_message(conversation, user.id, "assistant", words.text(per_message))
    return conversation


def cli_turn(model: Path, conversation: int, question: str, args: argparse.Namespace,
             env: dict[str, str]) -> dict[str, Any]:
    """One `ponder chat --conversation` in a new process; its stats."""
    cmd = [sys.executable, "-c", CLI, "chat", "--model", str(model), "--ctx", str(args.ctx),
           "--threads", str(args.threads), "--gpu-layers", "0",
           "--max-tokens", str(REPLY_TOKENS), "--json", "--conversation", str(conversation),
           question]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ponder chat failed ({done.returncode}): {done.stderr[-2000:]}")
    stats: dict[str, Any] = json.loads(done.stdout)["stats"]
    return stats


class Session:
    """The model loaded in this process, replying in stored conversations."""

    def __init__(self, model: Path, store: ChatStore, args: argparse.Namespace) -> None:
        settings = Settings(n_ctx=args.ctx, n_threads=args.threads, n_gpu_layers=0)
        loaded = ModelLoader().load(ModelSource(path=model), settings)
        backend: Any = loaded.backend
        self.backend = backend
        self.host = ModelHost()
        self.host.adopt(loaded)
        self.replies = ReplyService(self.host, store)
        profile = backend.profile.default_sampling
        self.options = GenerateOptions(sampling=SamplingParams(
            temperature=profile.temperature, top_p=profile.top_p, top_k=profile.top_k,
            min_p=profile.min_p, max_tokens=REPLY_TOKENS, seed=1))

    def turn(self, conversation: int, question: str) -> Finished:
        from app.core.types import GenerationControl

        return self.replies.reply_in_conversation(conversation, question, self.options,
                                                  GenerationControl()).finished

    def close(self) -> None:
        self.host.unload()


def kv_bytes_per_token(backend: Any) -> int:
    """K and V bytes per token at f16 for the loaded model."""
    import llama_cpp

    model = backend.llama._model.model
    layers = int(llama_cpp.llama_model_n_layer(model))
    head_dim = int(llama_cpp.llama_model_n_embd(model)) // int(llama_cpp.llama_model_n_head(model))
    kv_heads = int(llama_cpp.llama_model_n_head_kv(model))
    return layers * 2 * kv_heads * head_dim * 2


def state_tokens(path: Path) -> int:
    """Tokens recorded in a state file's header."""
    with open(path, "rb") as src:
        head = src.read(48)
    return int(struct.unpack_from("<I", head, 44)[0])


class Lines:
    def __init__(self) -> None:
        self.verdicts: list[str] = []

    def target(self, name: str, value: float, op: str, bound: float) -> None:
        _, line = verdict_line(name, value, op, bound)
        self.verdicts.append(line)
        print(line, flush=True)

    @staticmethod
    def note(line: str) -> None:
        print(f"  {line}", flush=True)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--switch-history", type=int, default=1000)
    parser.add_argument("--switches", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3,
                        help="restart and warm turns measured (medians)")
    parser.add_argument("--small", action="store_true", help="SmolLM2-135M, not the R1 shape")
    parser.add_argument("--model", type=Path, default=None, help="any GGUF")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    model = args.model or (_small_model() if args.small else _r1_model(args.threads))
    home = Path(tempfile.mkdtemp(prefix="ponder-return-"))
    os.environ[paths.HOME_ENV] = str(home)
    env = dict(os.environ)
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    print(f"model: {model.name}, threads {args.threads}, context {args.ctx}, data {home}")
    words = Words(14)
    store = ChatStore(paths.db_path())
    lines = Lines()

    # 1. restart of the process: no state, then with the state the run before saved.
    long_id = store_conversation(store, words, args.history, "long")
    _log(f"conversation of ~{args.history} tokens, a new process with no saved state ...")
    cold = cli_turn(model, long_id, words.question(), args, env)
    lines.note(f"no state: prompt {cold['prompt_tokens']} tokens, "
               f"{cold['evaluated_tokens']} evaluated, TTFT {cold['ttft_s']:.2f} s")
    # 2. a restart with the saved state (a new process each time) and the warm case
    # (the conversation open in this process), in turns, so that a change in the
    # machine's load touches both alike.
    session = Session(model, store, args)
    memory = session.backend.memory
    restarts: list[float] = []
    warm: list[float] = []
    restore_ms_per_mb = 0.0
    try:
        for round_ in range(args.rounds):
            memory.flush()  # the new process reads the state this one kept last
            _log("a new process with the saved state ...")
            again = cli_turn(model, long_id, words.question(), args, env)
            restarts.append(again["ttft_s"])
            lines.note(f"saved state, new process: prompt {again['prompt_tokens']} tokens, "
                       f"{again['evaluated_tokens']} evaluated, TTFT {again['ttft_s']:.2f} s")
            caught = session.turn(long_id, words.question())  # takes in that process' turn
            if round_ == 0:
                restore_ms_per_mb = memory.restore_s * 1000 / max(1, memory.restored_bytes / 2**20)
                lines.note(f"this process: restored from {memory.restored_from}, "
                           f"{memory.restored_bytes / 2**20:.1f} MB in "
                           f"{memory.restore_s * 1000:.0f} ms, TTFT {caught.stats.ttft_s:.2f} s")
            turn = session.turn(long_id, words.question()).stats
            warm.append(turn.ttft_s)
            lines.note(f"warm: {turn.evaluated_tokens} evaluated, TTFT {turn.ttft_s:.2f} s")
        memory.flush()
        [state] = state_files(states_folder())
        size, n_tokens = state.stat().st_size, state_tokens(state)
        per_token = kv_bytes_per_token(session.backend)

        # 3. switching between two open conversations.
        _log(f"two conversations of ~{args.switch_history} tokens, {args.switches} switches ...")
        pair = [store_conversation(store, words, args.switch_history, name) for name in "bc"]
        for conversation in pair:
            opened = session.turn(conversation, words.question())
            lines.note(f"opened: prompt {opened.stats.prompt_tokens} tokens, "
                       f"TTFT {opened.stats.ttft_s:.2f} s")
        switched: list[float] = []
        pair_warm: list[float] = []
        for i in range(args.switches):  # each switch is followed by a warm turn there
            fin = session.turn(pair[i % 2], words.question())
            switched.append(fin.stats.ttft_s)
            assert memory.restored_from == "memory", "a switch did not restore from memory"
            pair_warm.append(session.turn(pair[i % 2], words.question()).stats.ttft_s)
        lines.note(f"switch TTFT: {', '.join(f'{t:.2f}' for t in switched)} s "
                   f"(evaluated {fin.stats.evaluated_tokens} of {fin.stats.prompt_tokens})")
        lines.note(f"warm TTFT after each: {', '.join(f'{t:.2f}' for t in pair_warm)} s")
    finally:
        session.close()
        store.close()

    restart = statistics.median(restarts)
    lines.target("restart_ttft_with_state_over_no_state", restart / cold["ttft_s"], "<=", 0.1)
    lines.target("restart_ttft_with_state_over_warm", restart / statistics.median(warm),
                 "<=", 1.5)
    lines.target("switch_ttft_over_warm", statistics.mean(switched) / statistics.mean(pair_warm),
                 "<=", 1.5)
    lines.target("state_file_bytes_over_tokens_x_kv_bytes", size / (n_tokens * per_token),
                 "<=", 1.05)
    lines.note(f"state file: {size / 2**20:.1f} MB for {n_tokens} tokens "
               f"({per_token} KV bytes per token at f16)")
    print(f"restore_ms_per_mb: {restore_ms_per_mb:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
