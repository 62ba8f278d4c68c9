"""run_sync.py on gloo: programs from `plan moe sync` for a generated 8-rank plan run on 8 local processes.

The CLI is run as `dotnet $PLAN_DLL` (default src/Cli/bin/Release/net10.0/plan.dll, built beforehand); torch must
import (Debian's python3-torch for /usr/bin/python3). Run from the repository root:

    /usr/bin/python3 -m unittest discover -s bindings/python/tests
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RUNNER = os.path.join(ROOT, "bindings", "python", "run_sync.py")
PLAN_DLL = os.environ.get("PLAN_DLL", os.path.join(ROOT, "src", "Cli", "bin", "Release", "net10.0", "plan.dll"))
EXPERT_BYTES = 3 * 1048576 + 4096  # three full chunks and a short last one
CHUNK_BYTES = 1048576


def plan(*args, cwd):
    done = subprocess.run(["dotnet", PLAN_DLL, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"plan {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def run_sync(programs):
    return subprocess.run([sys.executable, RUNNER, "--programs", programs, "--backend", "gloo"],
                          capture_output=True, text=True, timeout=600)


class RunSyncTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="run-sync-")
        # 8 ranks x 4 experts with 2 redundant slots and a skewed load: UltraEP replicates the hot experts onto
        # several ranks, so that some experts go through relays.
        plan("moe", "generate", "--ranks", "8", "--ranks-per-node", "8", "--experts-per-rank", "4",
             "--redundant-slots", "2", "--imbalance", "2.5", "--tokens-per-rank", "2048", "--top-k", "2",
             "--seed", "3", "-o", "case.json", cwd=cls.dir)
        with open(os.path.join(cls.dir, "plan.json"), "w", encoding="utf-8") as f:
            f.write(plan("moe", "balance", "--input", "case.json", "--policy", "ultraep", "--format", "json", cwd=cls.dir))
        plan("moe", "sync", "--plan", "plan.json", "--expert-bytes", str(EXPERT_BYTES), "--chunk-bytes",
             str(CHUNK_BYTES), "--out", "programs", cwd=cls.dir)
        cls.programs = os.path.join(cls.dir, "programs")
        with open(os.path.join(cls.programs, "manifest.json"), encoding="utf-8") as f:
            cls.manifest = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_run_gloo_generated_plan_verifies_every_byte(self):
        self.assertEqual(8, self.manifest["ranks"])
        self.assertIn("relay", [t["mode"] for t in self.manifest["transfers"]])

        done = run_sync(self.programs)

        self.assertEqual(0, done.returncode, done.stderr)
        lines = done.stdout.strip().splitlines()
        self.assertEqual(1, len(lines), done.stdout)
        result = json.loads(lines[0])
        self.assertEqual(8, result["ranks"])
        self.assertTrue(result["verified"])
        self.assertGreater(result["seconds"], 0)
        self.assertEqual(self.manifest["predictedSeconds"], result["predictedSeconds"])
        # Every receiver gets every byte of its expert once: the oracle is the manifest's transfers.
        receivers = sum(len(t["receivers"]) for t in self.manifest["transfers"])
        self.assertEqual(receivers * EXPERT_BYTES, result["bytes"])
        self.assertEqual(self.manifest["totalBytes"], result["bytes"])

    def test_run_gloo_program_sending_another_chunks_bytes_is_not_verified(self):
        # The lowest rank that sends chunk 0 of something sends chunk 1's bytes instead (as long as chunk 0): the
        # pairs still match, but the receiver gets the wrong pattern and must say so.
        broken = os.path.join(self.dir, "broken")
        shutil.rmtree(broken, ignore_errors=True)
        shutil.copytree(self.programs, broken)
        for rank in range(self.manifest["ranks"]):
            path = os.path.join(broken, f"rank-{rank}.json")
            with open(path, encoding="utf-8") as f:
                program = json.load(f)
            sends = [op for group in program["groups"] for op in group if op["op"] == "send" and op["chunk"] == 0]
            if sends:
                sends[0]["offset"] = CHUNK_BYTES  # chunk 1's bytes, as long as chunk 0
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(program, f)
                break

        done = run_sync(broken)

        self.assertEqual(1, done.returncode, done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        self.assertFalse(result["verified"])


if __name__ == "__main__":
    unittest.main()
