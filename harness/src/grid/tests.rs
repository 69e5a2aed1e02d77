use super::*;
use std::path::PathBuf;

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases/grid")
}

#[test]
fn the_cell_count_is_pinned() {
    let all = cells();
    let client = all.iter().filter(|c| c.needs_connect()).count();
    assert_eq!((all.len(), client), (1059, 29));
    let mut ids: Vec<String> = all.iter().map(Cell::id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "every cell has its own id");
}

#[test]
fn every_cell_is_a_valid_case() {
    for c in cells() {
        let text = emit::case(&c);
        let file = format!("{}.pkt", c.id());
        let case = crate::run::case::load_source(std::path::Path::new(&file), text.clone())
            .unwrap_or_else(|e| panic!("{file}:\n{e}\n{text}"));
        assert!(case.meta.tags.contains(&"grid".to_string()));
        // SYN-SENT cells run too: the case's own socket connects.
        assert_eq!(case.meta.unsupported, None, "{file}");
    }
}

#[test]
fn rules_by_the_rfc() {
    let est = tcb(State::Established).unwrap();
    // T24: a RST in the window not at RCV.NXT draws a challenge ACK
    let e = rules::synchronized(State::Established, est, Kind::Rst, SeqPos::Inside, None);
    assert_eq!(e.replies, [rules::Reply::Ack { seq: 1, ack: 1 }]);
    // T23: at RCV.NXT it resets
    let e = rules::synchronized(State::Established, est, Kind::Rst, SeqPos::Nxt, None);
    assert_eq!(e.posts, [rules::Post::Dead]);
    // T19: an ACK of unsent data: ACK, dropped (the octet is not taken)
    let e = rules::synchronized(
        State::Established,
        est,
        Kind::Data,
        SeqPos::Nxt,
        Some((AckPos::Beyond, 2)),
    );
    assert_eq!(e.replies, [rules::Reply::Ack { seq: 1, ack: 1 }]);
    // LAST-ACK: the ACK of our FIN closes
    let la = tcb(State::LastAck).unwrap();
    let e = rules::synchronized(
        State::LastAck,
        la,
        Kind::Ack,
        SeqPos::Nxt,
        Some((AckPos::Nxt, 2)),
    );
    assert_eq!(e.posts, [rules::Post::Dead]);
    // FIN-WAIT-1: a FIN that does not ack ours → CLOSING
    let fw1 = tcb(State::FinWait1).unwrap();
    let e = rules::synchronized(
        State::FinWait1,
        fw1,
        Kind::FinAck,
        SeqPos::Nxt,
        Some((AckPos::Una, 1)),
    );
    assert_eq!(
        e.posts,
        [rules::Post::Alive {
            state: State::Closing,
            rcv_nxt: 2,
            fin_outstanding: true
        }]
    );
    // a closed port: RST|ACK with ACK = SEG.SEQ + SEG.LEN for a SYN-FIN
    let e = rules::closed(Kind::SynFin, 5000);
    assert_eq!(e.replies, [rules::Reply::RstAck { ack: 2 }]);
}

/// The checked-in `cases/grid/` is exactly what the generator writes now.
#[test]
fn the_checked_in_grid_is_what_the_generator_writes() {
    let dir = checked_in();
    let mut stale = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for c in cells() {
        let rel = format!("{}.pkt", c.id().trim_start_matches("grid/"));
        let path = dir.join(&rel);
        expected.insert(path.clone());
        match std::fs::read_to_string(&path) {
            Ok(t) if t == emit::case(&c) => {}
            _ => stale.push(rel),
        }
    }
    for state in State::ALL {
        if let Ok(rd) = std::fs::read_dir(dir.join(state.dir())) {
            for e in rd.flatten() {
                if !expected.contains(&e.path()) {
                    stale.push(format!("extra: {}", e.path().display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "cases/grid is out of date ({} files): run `cargo run -p synack -- grid --out cases/grid` and review the diff; first: {:?}",
        stale.len(),
        &stale[..stale.len().min(5)]
    );
}

/// The probe waits past the reply grace exactly where its answer would be
/// the one reply the RFC owes the stimulus (`emit::after_grace`), and only
/// there: a SYN in ESTABLISHED (challenge ACK owed) waits, a RST at RCV.NXT
/// (nothing owed) and a SYN in FIN-WAIT-1 (the FIN's retransmission carries
/// the same ACK) do not.
#[test]
fn the_probe_waits_past_the_grace_where_it_would_pass_for_the_owed_reply() {
    let late: Vec<Cell> = cells()
        .into_iter()
        .filter(|c| emit::after_grace(c, &emit::expect(c)))
        .collect();
    assert_eq!(late.len(), 282);
    for c in cells() {
        let text = emit::case(&c);
        assert_eq!(
            text.contains("after the reply grace"),
            late.contains(&c),
            "{}",
            c.id()
        );
    }
    let at = |state, kind, seq| Cell {
        state,
        kind,
        seq: Some(seq),
        ack: None,
    };
    assert!(late.contains(&at(State::Established, Kind::Syn, SeqPos::Inside)));
    assert!(!late.contains(&at(State::Established, Kind::Rst, SeqPos::Nxt)));
    assert!(!late.contains(&at(State::FinWait1, Kind::Syn, SeqPos::Inside)));
    let text = emit::case(&at(State::Established, Kind::Syn, SeqPos::Inside));
    assert!(
        text.contains("\n+1.02  < P. 0:1(1) ack 1 win 65535"),
        "{text}"
    );
}
