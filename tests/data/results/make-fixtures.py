#!/usr/bin/env python3
"""Writes the two small results files the comparison and check tests use.

Run from this folder: python3 make-fixtures.py. The numbers are made up around what
this project measured on a 2-core AMD EPYC VM; the second machine is fictional and its
model name carries markup, to prove the report escapes it.
"""
import json
import random


def summary(s):
    t = sorted(s)
    n = len(t)

    def q(p):
        pos = p * (n - 1)
        lo, hi = int(pos // 1), int(-(-pos // 1))
        return t[lo] + (t[hi] - t[lo]) * (pos - lo)

    mean = sum(t) / n
    var = sum((x - mean) ** 2 for x in t) / (n - 1)
    return {"n": n, "median": q(0.5), "mean": mean, "min": t[0], "max": t[-1],
            "p25": q(0.25), "p75": q(0.75), "stddev": var ** 0.5}


def outcome(rng, id_, centre, participants="process", mechanism="pipe",
            placement="same-cpu", valid=True, counters=None, switches=2.0):
    samples = [round(centre * rng.uniform(0.97, 1.03), 1) for _ in range(15)]
    s = summary(samples)
    return {
        "id": id_, "experiment": id_.split("/")[0], "participants": participants,
        "mechanism": mechanism, "placement": placement, "cpus": [0],
        "iterations_per_sample": 5000, "samples_ns_per_round_trip": samples,
        "ns_per_round_trip": s,
        "ns_per_switch": s["median"] / 2
        if placement == "same-cpu" and id_.startswith("pingpong/") else None,
        "switches_per_round_trip": switches, "switch_count_source": "procfs",
        "switch_count": {"iters": 5000, "voluntary": int(5000 * switches), "involuntary": 0,
                         "per_iter": switches},
        "valid": valid,
        "validity": "ok: 2.00 switches per round trip (expected 1.8-2.2)" if valid
        else "invalid: 1.02 switches per round trip, expected 1.8-2.2: a side did not sleep every time",
        "counters": counters or {},
    }


def machine(model, vendor, host, hyper, vulns, micro):
    return {
        "cpu_vendor": vendor, "cpu_model": model, "cpu_family": "26", "cpu_model_number": "2",
        "cpu_stepping": "1", "microcode": micro, "logical_cpus": 2, "physical_cores": 2,
        "smt": "notsupported", "cpus_used": [0, 1], "kernel_release": "6.18.0",
        "kernel_cmdline": "mitigations=auto", "kernel_cmdline_dropped": 1,
        "vulnerabilities": vulns,
        "pcid": True, "invpcid": True, "hypervisor": hyper, "scaling_governor": "unknown",
        "frequency_mhz": 2596.1, "frequency_source": "/proc/cpuinfo cpu MHz",
        "perf_event_paranoid": "2", "hostname": host,
        "counter_families": {"hardware": "no PMU (ENOENT)", "software": "available"},
        "rustc_version": "rustc 1.95.0", "ctxbench_version": "0.1.0", "git_commit": "a827b79",
    }


def build(seed, scale, model, vendor, host, hyper, drop=(), invalid=(), verdicts=None):
    rng = random.Random(seed)
    res = []
    counters = {
        "context-switches": {"per_round_trip": 2.0, "per_switch": 1.0, "total": 10000.0,
                             "multiplexed": False},
        "cycles": {"unsupported": "no hardware PMU (ENOENT): this machine exposes no CPU counters"},
    }
    for p in ["process", "thread"]:
        for m, base in [("pipe", 4300), ("futex", 4600)]:
            for pl, mult in [("same-cpu", 1.0), ("cross-cpu", 11.0)]:
                id_ = f"pingpong/{p}-{m}/{pl}"
                if id_ in drop:
                    continue
                c = base * mult * scale * (1.08 if p == "process" else 1.0)
                res.append(outcome(rng, id_, c, p, m, pl, valid=id_ not in invalid,
                                   counters=counters if pl == "same-cpu" else None))
    for p in ["process", "thread"]:
        for n in [2, 4, 8]:
            res.append(outcome(rng, f"ring/{p}-pipe/{n}", 2150 * n * scale * (1.1 if p == "process" else 1.0), p))
    for p in ["process", "thread"]:
        for size in ["0KiB", "256KiB"]:
            extra = 1.0 if size == "0KiB" else 3.0
            res.append(outcome(rng, f"workset/{p}-futex/{size}", 4600 * extra * scale, p, "futex"))
    res.append(outcome(rng, "floor/getppid", 95 * scale, "thread"))
    res.append(outcome(rng, "spawn/fork", 81000 * scale, "process"))
    vulns = {"meltdown": "Not affected", "spectre_v2": "Mitigation: Retpolines",
             "spec_store_bypass": "Vulnerable"}
    f = {"schema_version": 1, "ctxbench_version": "0.1.0",
         "created_unix": 1_798_000_000 + seed * 3600, "mode": "quick", "results": res,
         "skipped": [{"id": "pingpong/process-condvar/same-cpu",
                      "reason": "needs a process-shared condvar"}],
         "machine": machine(model, vendor, host, hyper, vulns, "0x1000065")}
    if verdicts:
        f["verdicts"] = verdicts
    return f


a = build(1, 1.0, "AMD EPYC", "AuthenticAMD", "vm", True, verdicts=[
    {"claim": "A process switch costs more than a thread switch",
     "verdict": "confirmed <b>8%</b>", "evidence": "pingpong/process-pipe/same-cpu vs thread-pipe"},
    {"claim": "Missing fields are shown as a dash"},
])
b = build(2, 0.7, 'Intel(R) Xeon(R) <script>alert("x")</script> Gold 6354', "GenuineIntel",
          "bare-metal-2", False, drop=("pingpong/thread-futex/cross-cpu",),
          invalid=("pingpong/process-futex/same-cpu",))
for name, f in [("machine-a.json", a), ("machine-b.json", b)]:
    with open(name, "w") as out:
        json.dump(f, out, indent=1)
        out.write("\n")
