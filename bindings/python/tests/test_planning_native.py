"""The planner's C ABI from Python against the CLI: the same cases give the same plans.

Needs the library (bindings/python/build.sh) and the CLI's plan.dll (env PLAN_DLL, default
src/Cli/bin/Release/net10.0/plan.dll, built by `dotnet build src/Cli -c Release`)."""

import array
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))

import planning_native as pn  # noqa: E402

PLAN_DLL = os.environ.get("PLAN_DLL") or os.path.join(ROOT, "src", "Cli", "bin", "Release", "net10.0", "plan.dll")

# (seed, ranks, experts per rank, redundant slots, ranks per node, ranks per domain, imbalance, family, layers)
SHAPES = [
    (1, 64, 4, 2, 8, 64, 2.0, "zipf", 2),
    (2, 16, 2, 1, 4, 8, 1.8, "zipf", 2),
    (3, 32, 4, 3, 8, 16, 1.5, "hot-set", 2),
    (4, 8, 3, 2, 2, 4, 2.5, "hot-rank", 3),
    (5, 64, 4, 2, 8, 32, 3.0, "burst", 1),
]


def _cli(*args):
    done = subprocess.run(["dotnet", PLAN_DLL] + list(args), capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError("plan %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr))
    return done.stdout


def _generate(tmp, seed, ranks, per_rank, redundant, per_node, per_domain, imbalance, family, layers):
    path = os.path.join(tmp, "case-%d.json" % seed)
    _cli("moe", "generate", "--seed", str(seed), "--ranks", str(ranks), "--experts-per-rank", str(per_rank),
         "--redundant-slots", str(redundant), "--ranks-per-node", str(per_node), "--ranks-per-domain", str(per_domain),
         "--imbalance", str(imbalance), "--family", family, "--layers", str(layers), "--tokens-per-rank", "2048",
         "-o", path)
    with open(path) as f:
        return path, json.load(f)


def _without_timing(plan):
    return {k: v for k, v in plan.items() if k != "solveMicrosecondsPerLayer"}


@unittest.skipUnless(os.path.exists(PLAN_DLL), "plan.dll not built (dotnet build src/Cli -c Release, or set PLAN_DLL)")
class BalanceAgainstCliTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cases = [_generate(cls.tmp.name, *shape) for shape in SHAPES]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def _check(self, policy, extra=(), min_replica_quota=0):
        for (path, case), shape in zip(self.cases, SHAPES):
            with self.subTest(shape=shape, policy=policy):
                cli = json.loads(_cli("moe", "balance", "--input", path, "--policy", policy, "--format", "json",
                                      "--repeats", "1", *extra))
                ours = pn.balance(case, policy, min_replica_quota=min_replica_quota)
                self.assertEqual(_without_timing(cli), _without_timing(ours))
                self.assertEqual(len(case["tokensPerRankLayer"]), ours["solveMicrosecondsPerLayer"]["samples"])

    def test_balance_ultraep_generated_cases_same_plan_as_cli(self):
        self._check("ultraep")

    def test_balance_ultraep_min_quota_same_plan_as_cli(self):
        self._check("ultraep", ("--min-quota", "64"), min_replica_quota=64)

    def test_balance_eplb_generated_cases_same_plan_as_cli(self):
        self._check("eplb")


def _case(seed=7, ranks=8, per_rank=2, redundant=1, per_node=4, per_domain=8, layers=2):
    # A small deterministic case (a linear congruential generator, no randomness from the environment).
    state = seed
    rows = []
    for _ in range(layers):
        layer = []
        for r in range(ranks):
            row = []
            for e in range(ranks * per_rank):
                state = (state * 1103515245 + 12345) % (1 << 31)
                row.append((state >> 16) % 40 * (5 if e % 7 == 0 else 1))
            layer.append(row)
        rows.append(layer)
    return {"ranks": ranks, "ranksPerDomain": per_domain, "ranksPerNode": per_node, "expertsPerRank": per_rank,
            "redundantSlotsPerRank": redundant, "tokensPerRankLayer": rows}


class ZeroCopyTests(unittest.TestCase):
    def setUp(self):
        self.case = _case()
        self.planner = pn.Planner(8, 2, 1, 4, 8)
        self.flat = [c for row in self.case["tokensPerRankLayer"][0] for c in row]
        self.expected = pn.balance(self.case)["layers"][0]

    def tearDown(self):
        self.planner.close()

    def test_balance_into_array_same_as_dict_form(self):
        self.planner.balance_into(array.array("q", self.flat))
        self.assertEqual(self.expected, self.planner.layer_dict())

    def test_balance_into_memoryview_and_readonly_bytes_same_as_dict_form(self):
        data = array.array("q", self.flat)
        self.planner.balance_into(memoryview(data))
        self.assertEqual(self.expected, self.planner.layer_dict())
        self.planner.balance_into(memoryview(data.tobytes()).cast("q"))
        self.assertEqual(self.expected, self.planner.layer_dict())

    def test_balance_into_numpy_and_torch_same_as_dict_form(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy not installed")
        matrix = numpy.array(self.case["tokensPerRankLayer"][0], dtype=numpy.int64)
        self.planner.balance_into(matrix)
        self.assertEqual(self.expected, self.planner.layer_dict())
        try:
            import torch
        except ImportError:
            return
        self.planner.balance_into(torch.tensor(self.case["tokensPerRankLayer"][0], dtype=torch.int64).numpy())
        self.assertEqual(self.expected, self.planner.layer_dict())

    def test_balance_into_caller_buffers_holds_the_plan(self):
        placement = array.array("q", [0] * (3 * self.planner.max_placement_rows))
        loads = array.array("q", [0] * 8)
        reroutes = array.array("q", [0] * (4 * self.planner.max_reroute_rows))
        rows, routes = self.planner.balance_into(array.array("q", self.flat), placement, loads, reroutes)
        self.assertEqual(len(self.expected["placement"]), rows)
        self.assertEqual(len(self.expected["reroutes"]), routes)
        self.assertEqual([[p["expert"], p["rank"], p["quota"]] for p in self.expected["placement"]],
                         [list(placement[3 * i:3 * i + 3]) for i in range(rows)])
        self.assertEqual(self.expected["rankLoads"], list(loads))
        self.assertEqual([[r["source"], r["expert"], r["instance"], r["tokens"]] for r in self.expected["reroutes"]],
                         [list(reroutes[4 * i:4 * i + 4]) for i in range(routes)])

    def test_balance_into_steady_state_allocates_nothing(self):
        tokens = array.array("q", self.flat)
        for _ in range(3):
            self.planner.balance_into(tokens)
        before = self.planner.allocated_bytes()
        for _ in range(50):
            self.planner.balance_into(tokens)
        self.assertEqual(0, self.planner.allocated_bytes() - before)

    def test_balance_into_quotas_sum_to_each_expert_load(self):
        self.planner.balance_into(array.array("q", self.flat))
        layer = self.planner.layer_dict()
        experts = 16
        loads = [sum(self.flat[r * experts + e] for r in range(8)) for e in range(experts)]
        quotas = [0] * experts
        for p in layer["placement"]:
            quotas[p["expert"]] += p["quota"]
        self.assertEqual(loads, quotas)
        self.assertEqual(sum(loads), sum(layer["rankLoads"]))


class BadInputTests(unittest.TestCase):
    def _assert_field(self, field, call):
        with self.assertRaises(pn.PlanningError) as raised:
            call()
        self.assertEqual(field, raised.exception.field, str(raised.exception))

    def test_balance_missing_field_names_it(self):
        case = _case()
        del case["expertsPerRank"]
        self._assert_field("expertsPerRank", lambda: pn.balance(case))

    def test_balance_bad_topology_names_field(self):
        self._assert_field("ranksPerNode", lambda: pn.balance(dict(_case(), ranksPerNode=3)))
        self._assert_field("ranksPerDomain", lambda: pn.balance(dict(_case(), ranksPerDomain=6)))

    def test_balance_short_row_names_it(self):
        case = _case()
        case["tokensPerRankLayer"][1][3] = case["tokensPerRankLayer"][1][3][:-1]
        self._assert_field("tokensPerRankLayer[1][3]", lambda: pn.balance(case))

    def test_balance_negative_count_names_it(self):
        case = _case()
        case["tokensPerRankLayer"][0][2][5] = -1
        self._assert_field("tokensPerRankLayer[0][2][5]", lambda: pn.balance(case))

    def test_balance_unknown_policy_names_it(self):
        self._assert_field("policy", lambda: pn.balance(_case(), "exact"))

    def test_balance_into_wrong_item_type_or_length_names_tokens(self):
        with pn.Planner(8, 2, 1, 4) as planner:
            self._assert_field("tokens", lambda: planner.balance_into(array.array("i", [0] * 128)))
            self._assert_field("tokens", lambda: planner.balance_into(array.array("q", [0] * 127)))
            self._assert_field("tokens", lambda: planner.balance_into(object()))
            bad = array.array("q", [0] * 128)
            bad[5] = -3
            self._assert_field("tokens[0][5]", lambda: planner.balance_into(bad))

    def test_balance_into_short_buffer_reports_rows_needed(self):
        with pn.Planner(8, 2, 1, 4) as planner:
            flat = [c for row in _case()["tokensPerRankLayer"][0] for c in row]
            with self.assertRaises(pn.PlanningError) as raised:
                planner.balance_into(array.array("q", flat), placement=array.array("q", [0] * 3))
            self.assertEqual("buffers", raised.exception.field)
            self.assertIn("placement rows", str(raised.exception))

    def test_library_not_built_says_run_build_sh(self):
        saved_lib, saved_env = pn._lib, os.environ.get("PLANNING_NATIVE_LIB")
        try:
            pn._lib = None
            os.environ["PLANNING_NATIVE_LIB"] = os.path.join(HERE, "no-such-library.so")
            with self.assertRaises(pn.PlanningError) as raised:
                pn.balance(_case())
            self.assertEqual("library", raised.exception.field)
            self.assertIn("bindings/python/build.sh", str(raised.exception))
        finally:
            pn._lib = saved_lib
            if saved_env is None:
                del os.environ["PLANNING_NATIVE_LIB"]
            else:
                os.environ["PLANNING_NATIVE_LIB"] = saved_env


if __name__ == "__main__":
    unittest.main()
