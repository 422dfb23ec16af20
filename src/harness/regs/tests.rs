use super::*;
use crate::spec::REG_STATES;

/// The states this machine offers; the others printed with the reason.
fn here() -> Vec<RegState> {
    REG_STATES
        .into_iter()
        .filter(|&s| match offered(s) {
            Ok(_) => true,
            Err(why) => {
                eprintln!("{}: skipped here: {why}", s.name());
                false
            }
        })
        .collect()
}

/// Components no ordinary code of the loop may leave live in `none`: all but SSE.
const NOT_SSE: u64 =
    (live_mask(RegState::Avx512) | live_mask(RegState::Amx)) & !live_mask(RegState::Sse);

#[test]
fn each_state_is_live_across_the_switch_and_none_is_clean() {
    let _x = crate::harness::exclusive();
    for p in [Participants::Process, Participants::Thread] {
        for s in here() {
            crate::harness::retry_on_cpus(|cpu| {
                let mut h = RegsPingPong::new(p, s, cpu).map_err(|e| e.to_string())?;
                let count = crate::measure::count_switches(&mut h, 2000).unwrap();
                if !(1.8..=2.2).contains(&count.per_iter) {
                    return Err(format!("{p} {s:?}: {count:?}"));
                }
                let alone = crate::measure::count_switches(&mut Alone(&mut h), 2000).unwrap();
                if alone.per_iter >= 0.01 {
                    return Err(format!("{p} {s:?} floor switched: {alone:?}"));
                }
                let seen = h.probe().unwrap();
                eprintln!(
                    "{p} {}: {} bytes, XINUSE at hand-over {seen:x?}",
                    s.name(),
                    h.bytes()
                );
                let want = live_mask(s);
                if let Some(peer) = seen.peer {
                    assert_eq!(peer & want, want, "{p} {s:?}: {seen:x?}");
                    if s == RegState::None {
                        assert_eq!(peer & NOT_SSE, 0, "{p}: none is not clean: {seen:x?}");
                    }
                }
                if let Some(driver) = seen.driver {
                    // The driver let go of everything right before the batch.
                    assert_eq!(driver & NOT_SSE, 0, "{p} {s:?}: {seen:x?}");
                }
                Ok(())
            });
        }
    }
}

#[test]
fn turning_the_writes_off_leaves_nothing_live_on_either_side() {
    let _x = crate::harness::exclusive();
    let Some(&s) = here().iter().rfind(|&&s| s != RegState::None) else {
        eprintln!("skipped: no register state beyond none is offered here");
        return;
    };
    for p in [Participants::Process, Participants::Thread] {
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let mut h = RegsPingPong::new(p, s, cpu).unwrap();
        h.set_writing(false).unwrap();
        h.run(100).unwrap();
        let off = h.probe().unwrap();
        h.set_writing(true).unwrap();
        h.run(100).unwrap();
        let on = h.probe().unwrap();
        eprintln!("{p} {}: off {off:x?}, on {on:x?}", s.name());
        if let (Some(off), Some(on)) = (off.peer, on.peer) {
            assert_eq!(off & NOT_SSE, 0, "{p} {s:?}: {off:#x} with the writes off");
            assert_eq!(on & live_mask(s), live_mask(s), "{p} {s:?}: {on:#x}");
        }
        let floor_on = h.alone(1000).unwrap();
        h.set_writing(false).unwrap();
        let floor_off = h.alone(1000).unwrap();
        assert!(floor_on > Duration::ZERO && floor_off > Duration::ZERO);
    }
}

#[test]
fn a_forked_peer_with_amx_state_runs_and_is_reaped() {
    let _x = crate::harness::exclusive();
    if let Err(why) = offered(RegState::Amx) {
        eprintln!("skipped: amx is not offered here: {why}");
        return;
    }
    let kids = crate::harness::children_of_me();
    let cpu = crate::cpus::allowed_cpus().unwrap()[0];
    let mut h = RegsPingPong::new(Participants::Process, RegState::Amx, cpu).unwrap();
    h.run(1000).unwrap();
    drop(h);
    assert_eq!(
        crate::harness::children_of_me(),
        kids,
        "the AMX peer was left behind"
    );
}

#[test]
fn a_state_that_is_not_offered_is_refused_with_the_reason() {
    for s in REG_STATES {
        if let Err(why) = offered(s) {
            let cpu = crate::cpus::allowed_cpus().unwrap()[0];
            let e = RegsPingPong::new(Participants::Thread, s, cpu)
                .err()
                .unwrap();
            assert!(e.to_string().contains(&why), "{e}");
            assert!(e.to_string().contains("not offered here"), "{e}");
        }
    }
}
