//! T14 on the kernel: 1000 SYNs from distinct source ports, the stated ISN
//! test of `synack::run::isn` (a constant step, repeats, biased bits fail).
//! Skips without root unless `SYNACK_REQUIRE_LAB=1`, which makes it fail.

use synack::target::lab::{Lab, LabOptions};
use synack::target::TargetError;

#[test]
fn linux_isns_are_not_predictable() {
    let lab = match Lab::start(LabOptions::default()) {
        Ok(lab) => lab,
        Err(TargetError::Privilege(why))
            if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") =>
        {
            println!("skipping: lab needs root/CAP_NET_ADMIN: {why}");
            return;
        }
        Err(e) => panic!("the lab did not start: {e}"),
    };
    let isns = synack::run::isn::sample(&lab, 1000, 1).expect("1000 SYN-ACKs");
    let stats = synack::run::isn::judge(&isns).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stats.n, 1000);
    println!(
        "{} ISNs, {} distinct, most frequent step {} ({}x), bits set: {:?}",
        stats.n, stats.distinct, stats.top_step.0, stats.top_step.1, stats.ones
    );
}
