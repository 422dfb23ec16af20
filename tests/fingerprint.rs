//! Machine fingerprints parsed from fake `/proc` + `/sys` trees under tests/data/fingerprint.

use std::path::{Path, PathBuf};

use ctxbench::fingerprint::{CmdlineDetail, Fingerprint, UNKNOWN};

fn tree(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fingerprint")
        .join(name)
}

#[test]
fn intel_laptop_with_smt_and_cpufreq() {
    let fp = Fingerprint::read_from(&tree("intel"));
    assert_eq!(fp.cpu_vendor, "GenuineIntel");
    assert_eq!(fp.cpu_model, "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
    assert_eq!(
        (
            fp.cpu_family.as_str(),
            fp.cpu_model_number.as_str(),
            fp.cpu_stepping.as_str()
        ),
        ("6", "142", "10")
    );
    assert_eq!(fp.microcode, "0xf4");
    let t = fp
        .topology
        .as_ref()
        .expect("the tree describes its topology");
    assert_eq!(
        t.summary(),
        "4 CPUs: 1 package, 1 L3, 2 cores (SMT); pairs: smt 2, same-l3 4"
    );
    assert!(
        fp.summary().contains("  topology: 4 CPUs"),
        "{}",
        fp.summary()
    );
    assert_eq!(fp.logical_cpus, Some(4));
    assert_eq!(fp.physical_cores, Some(2));
    assert_eq!(fp.smt, "on");
    assert_eq!(
        (fp.pcid, fp.invpcid, fp.hypervisor),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(fp.kernel_release, "6.8.0-45-generic");
    // Boot image, root UUID, ro, quiet, splash: left out.
    assert_eq!(fp.kernel_cmdline, "mitigations=auto");
    assert_eq!(fp.kernel_cmdline_dropped, Some(5));
    assert_eq!(fp.vulnerabilities.len(), 6);
    assert_eq!(fp.vulnerabilities["meltdown"], "Mitigation: PTI");
    assert!(fp.vulnerabilities["mds"].contains("SMT vulnerable"));
    assert_eq!(fp.scaling_governor, "performance,powersave");
    assert_eq!(fp.frequency_mhz, Some(1800.0));
    assert_eq!(fp.frequency_source, "cpufreq scaling_cur_freq");
    assert_eq!(fp.perf_event_paranoid, "4");
    assert_eq!(fp.hostname, "laptop-01");
    // The level-2 cache, not the level-1 one beside it.
    assert_eq!(fp.l2_bytes, Some(256 << 10));
    assert_eq!(fp.slug(), "intel-core-i7-8650u-f6m142-laptop-01");
    // Build facts come from this binary; run facts start empty.
    assert_eq!(fp.ctxbench_version, env!("CARGO_PKG_VERSION"));
    assert!(fp.rustc_version.starts_with("rustc ") || fp.rustc_version == UNKNOWN);
    assert!(!fp.git_commit.is_empty());
    assert!(fp.cpus_used.is_empty() && fp.counter_families.is_empty());
    let summary = fp.summary();
    assert!(
        summary.contains("i7-8650U") && summary.contains("SMT on"),
        "{summary}"
    );
}

#[test]
fn amd_desktop_without_smt_control() {
    let fp = Fingerprint::read_from(&tree("amd"));
    assert_eq!(fp.topology, None, "no cpu*/topology in this tree");
    assert_eq!(fp.cpu_vendor, "AuthenticAMD");
    assert_eq!(fp.cpu_model, "AMD Ryzen 5 3600 6-Core Processor");
    assert_eq!(fp.cpu_family, "23");
    assert_eq!(fp.cpu_model_number, "113");
    assert_eq!(fp.microcode, "0x8701021");
    assert_eq!((fp.logical_cpus, fp.physical_cores), (Some(2), Some(2)));
    assert_eq!(fp.smt, "off", "inferred: as many cores as logical CPUs");
    assert_eq!(
        (fp.pcid, fp.invpcid, fp.hypervisor),
        (Some(true), Some(false), Some(false))
    );
    assert_eq!(fp.scaling_governor, "schedutil");
    assert!((fp.frequency_mhz.unwrap() - 3593.21).abs() < 1e-9);
    assert_eq!(
        fp.vulnerabilities["spec_rstack_overflow"],
        "Mitigation: Safe RET"
    );
    assert_eq!(fp.perf_event_paranoid, "1");
    assert_eq!(fp.kernel_cmdline, "isolcpus=1 nohz_full=1");
    assert_eq!(fp.kernel_cmdline_dropped, Some(3));
    assert_eq!(fp.slug(), "amd-ryzen-5-3600-f23m113-desk-top-home");
}

#[test]
fn vm_with_hypervisor_flag_and_no_cpufreq() {
    let fp = Fingerprint::read_from(&tree("vm"));
    assert_eq!(fp.hypervisor, Some(true));
    assert_eq!(fp.pcid, Some(true));
    assert_eq!(fp.invpcid, Some(false));
    assert_eq!(fp.logical_cpus, Some(2));
    assert_eq!(fp.physical_cores, None, "no core ids: unknown, not guessed");
    assert_eq!(fp.smt, UNKNOWN);
    assert_eq!(fp.scaling_governor, UNKNOWN);
    // Without cpufreq the frequency falls back to /proc/cpuinfo.
    assert_eq!(fp.frequency_mhz, Some(2992.968));
    assert_eq!(fp.frequency_source, "/proc/cpuinfo cpu MHz");
    assert!(fp.vulnerabilities["mds"].starts_with("Vulnerable"));
    assert!(fp.summary().contains("vulnerable: mds"));
    assert_eq!(fp.hostname, "ci-runner-07");
    // Nothing on its line changes switch costs, and the summary says so.
    assert_eq!(
        (fp.kernel_cmdline.as_str(), fp.kernel_cmdline_dropped),
        ("", Some(2))
    );
    assert!(fp.summary().contains(
        "kernel command line: no parameter that changes switch costs (2 other words left out)"
    ));
}

#[test]
fn missing_sys_is_unknown_not_an_error() {
    let fp = Fingerprint::read_from(&tree("missing"));
    assert_eq!(fp.kernel_release, "6.1.0-rpi7-rpi-v8");
    assert_eq!(fp.logical_cpus, Some(1));
    for v in [
        &fp.cpu_vendor,
        &fp.cpu_model,
        &fp.microcode,
        &fp.kernel_cmdline,
        &fp.hostname,
        &fp.perf_event_paranoid,
        &fp.scaling_governor,
        &fp.smt,
    ] {
        assert_eq!(v, UNKNOWN);
    }
    assert_eq!((fp.pcid, fp.invpcid, fp.hypervisor), (None, None, None));
    assert!(fp.vulnerabilities.is_empty());
    assert_eq!(fp.frequency_mhz, None);
    assert_eq!(fp.slug(), "unknown-unknown");

    // A root with nothing at all.
    let fp = Fingerprint::read_from(&tree("no-such-tree"));
    assert_eq!(fp.kernel_release, UNKNOWN);
    assert_eq!(fp.logical_cpus, None);
    assert!(fp.summary().contains("unknown"));
}

#[test]
fn full_cmdline_keeps_the_whole_line() {
    let fp = Fingerprint::read_with(&tree("intel"), CmdlineDetail::Full);
    assert_eq!(
        fp.kernel_cmdline,
        "BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=UUID=1234 ro quiet splash mitigations=auto"
    );
    assert_eq!(fp.kernel_cmdline_dropped, None);
    let filtered = Fingerprint::read_from(&tree("intel"));
    assert_eq!(
        Fingerprint {
            kernel_cmdline: fp.kernel_cmdline.clone(),
            kernel_cmdline_dropped: None,
            ..filtered
        },
        fp,
        "only the command line differs"
    );
}

#[test]
fn fingerprint_round_trips_through_json() {
    let fp = Fingerprint::read_from(&tree("intel"));
    let json = serde_json::to_string(&fp).unwrap();
    let back: Fingerprint = serde_json::from_str(&json).unwrap();
    assert_eq!(back, fp);
    // Fields a file lacks default to unknown.
    let partial: Fingerprint = serde_json::from_str(r#"{"cpu_model":"X"}"#).unwrap();
    assert_eq!(partial.cpu_model, "X");
    assert_eq!(partial.hostname, UNKNOWN);
    assert_eq!(
        partial.topology, None,
        "files from before the topology load"
    );
    assert_eq!(
        partial.kernel_cmdline_dropped, None,
        "older files: the whole line"
    );
}

/// Every results file under `dir`, recursively.
fn results_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            results_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn committed_results_files_hold_no_kernel_parameter_outside_the_list() {
    use ctxbench::fingerprint::cmdline::{is_switch_param, param_name, words};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    results_files(&root.join("results"), &mut files);
    results_files(&root.join("tests/data/results"), &mut files);
    results_files(&root.join("tests/data/legacy"), &mut files);
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        let machine = ctxbench::results::ResultsFile::load(f).unwrap().machine;
        assert!(
            machine.kernel_cmdline_dropped.is_some(),
            "{}: says it was filtered",
            f.display()
        );
        for w in words(&machine.kernel_cmdline) {
            assert!(is_switch_param(param_name(w)), "{}: {w}", f.display());
        }
        // Folder names carry no (R) noise, and the CPU's family and model where known.
        let slug = machine.slug();
        assert!(!slug.contains("-r-") && !slug.contains("-tm-"), "{slug}");
        if let Some(g) = machine.generation() {
            assert!(slug.contains(&g), "{slug}");
        }
    }
}

#[test]
fn every_committed_run_lives_in_the_folder_its_machine_names() {
    // Two CPU generations sold under one model name (an AMD EPYC of family 25 model 17
    // and one of family 26 model 2) must not share a folder: `check --baseline results/`
    // would take one for the other.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut files = Vec::new();
    results_files(&root, &mut files);
    assert!(!files.is_empty());
    for f in &files {
        let machine = ctxbench::results::ResultsFile::load(f).unwrap().machine;
        let folder = f.parent().unwrap().file_name().unwrap().to_string_lossy();
        assert_eq!(folder, machine.slug(), "{}", f.display());
    }
}
