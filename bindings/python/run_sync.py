#!/usr/bin/env python3
"""Run the weight-sync programs that `plan moe sync` wrote, on torch.distributed, one process per rank.

    python3 bindings/python/run_sync.py --programs DIR --backend gloo|nccl [--master-port P]

Every rank reads DIR/rank-<r>.json (see docs/contracts.md, "plan moe sync"), allocates one uint8 buffer per expert
it sends or receives, and the expert's source fills its buffer with a canary pattern derived from (layer, expert,
chunk, byte index). Each group of sends and receives is posted as one `dist.batch_isend_irecv` list of
`dist.P2POp`s (the way SGLang's expert-location updater moves expert weights), waited for, and followed by a
barrier. Afterwards every receiver checks every byte it received against the pattern.

Prints exactly one JSON line: {"ranks", "seconds", "predictedSeconds", "verified", "bytes"}; `seconds` is the wall
time of the groups (rank 0, from the barrier before the first group to the barrier after the last), `bytes` the bytes
received over all ranks. Exits 1 when a byte is wrong, 2 on bad arguments or programs.

gloo runs on CPUs (Debian's python3-torch). nccl needs one GPU per rank; the same programs run with the buffers on
cuda:<rank>. Standard library and torch only.
"""

import argparse
import datetime
import json
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

MANIFEST = "manifest.json"


def canary(layer, expert, experts_per_layer, chunk, offset, length, device):
    """The pattern of bytes [offset, offset + length) of chunk `chunk` of an expert: a function of
    (expert key, chunk, byte index) mod 251, a prime, so that neighbouring chunks and experts differ."""
    key = layer * experts_per_layer + expert
    index = torch.arange(offset, offset + length, dtype=torch.int64, device=device)
    return ((index + key * 7919 + chunk * 104729) % 251).to(torch.uint8)


def load(directory):
    with open(os.path.join(directory, MANIFEST), encoding="utf-8") as f:
        manifest = json.load(f)
    programs = []
    for rank, name in enumerate(manifest["programs"]):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            program = json.load(f)
        if program["rank"] != rank or len(program["groups"]) != manifest["groups"]:
            raise ValueError(f"{name}: rank {program['rank']} with {len(program['groups'])} groups, "
                             f"expected rank {rank} with {manifest['groups']} groups")
        programs.append(program)
    if len(programs) != manifest["ranks"]:
        raise ValueError(f"{MANIFEST}: {len(programs)} programs for {manifest['ranks']} ranks")
    return manifest, programs


def worker(rank, manifest, program, backend, port, results):
    ranks = manifest["ranks"]
    device = torch.device("cpu")
    if backend == "nccl":
        torch.cuda.set_device(rank)
        device = torch.device("cuda", rank)
    dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=ranks,
                            timeout=datetime.timedelta(seconds=300))
    try:
        experts = manifest["expertsPerLayer"]
        expert_bytes = manifest["expertBytes"]
        chunk_bytes = manifest["chunkBytes"]
        sources = {(t["layer"], t["expert"]): t["source"] for t in manifest["transfers"]}

        # One buffer per expert this rank touches; the source's holds the pattern from the start.
        buffers = {}
        received = {}
        for group in program["groups"]:
            for op in group:
                key = (op["layer"], op["expert"])
                if key not in buffers:
                    buffers[key] = torch.zeros(expert_bytes, dtype=torch.uint8, device=device)
                    if sources[key] == rank:
                        for chunk, offset in enumerate(range(0, expert_bytes, chunk_bytes)):
                            length = min(chunk_bytes, expert_bytes - offset)
                            buffers[key][offset:offset + length] = canary(key[0], key[1], experts, chunk, offset, length, device)
                if op["op"] == "recv":
                    received.setdefault(key, []).append(op)

        barrier = (lambda: dist.barrier(device_ids=[rank])) if backend == "nccl" else dist.barrier
        barrier()
        start = time.perf_counter()
        for group in program["groups"]:
            ops = []
            for op in group:
                view = buffers[(op["layer"], op["expert"])][op["offset"]:op["offset"] + op["bytes"]]
                ops.append(dist.P2POp(dist.isend if op["op"] == "send" else dist.irecv, view, op["peer"]))
            if ops:
                for request in dist.batch_isend_irecv(ops):
                    request.wait()
            barrier()
        if backend == "nccl":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start

        # Every received byte against the pattern; the whole expert must have arrived.
        ok = True
        got = 0
        for key, ops in received.items():
            for op in ops:
                actual = buffers[key][op["offset"]:op["offset"] + op["bytes"]]
                expected = canary(key[0], key[1], experts, op["chunk"], op["offset"], op["bytes"], device)
                ok = ok and bool(torch.equal(actual, expected))
                got += op["bytes"]
            ok = ok and sum(op["bytes"] for op in ops) == expert_bytes

        summary = torch.tensor([0 if ok else 1, got], dtype=torch.int64, device=device)
        dist.all_reduce(summary, op=dist.ReduceOp.SUM)
        slowest = torch.tensor([seconds], dtype=torch.float64, device=device)
        dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
        if rank == 0:
            results.put({"ranks": ranks, "seconds": round(float(slowest.item()), 6),
                         "predictedSeconds": manifest["predictedSeconds"],
                         "verified": int(summary[0].item()) == 0, "bytes": int(summary[1].item())})
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", required=True, help="directory written by plan moe sync")
    parser.add_argument("--backend", required=True, choices=["gloo", "nccl"])
    parser.add_argument("--master-port", type=int, default=0, help="TCP port of the rendezvous (default: a free one)")
    args = parser.parse_args(argv)
    try:
        manifest, programs = load(args.programs)
    except (OSError, ValueError, KeyError) as error:
        print(f"run_sync: --programs: {error}", file=sys.stderr)
        return 2
    if args.backend == "nccl" and torch.cuda.device_count() < manifest["ranks"]:
        print(f"run_sync: --backend nccl needs {manifest['ranks']} GPUs (one per rank), found {torch.cuda.device_count()}",
              file=sys.stderr)
        return 2

    port = args.master_port or free_port()
    context = mp.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=worker, args=(rank, manifest, programs[rank], args.backend, port, results))
                 for rank in range(manifest["ranks"])]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [rank for rank, process in enumerate(processes) if process.exitcode != 0]
    if failed:
        print(f"run_sync: ranks {failed} failed", file=sys.stderr)
        print(json.dumps({"ranks": manifest["ranks"], "seconds": None, "predictedSeconds": manifest["predictedSeconds"],
                          "verified": False, "bytes": 0}))
        return 1
    result = results.get(timeout=10)
    print(json.dumps(result))
    return 0 if result["verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
