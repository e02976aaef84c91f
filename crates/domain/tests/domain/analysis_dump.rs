//! Prints how the analysis reads every seed task (status, parts, dates, figures, pace):
//! `cargo test -p duban-domain --test domain analysis_dump -- --ignored --nocapture`. A reading aid
//! for people changing the cue tables; asserts nothing.

use crate::analysis_support;
use duban_domain::analysis::*;

#[test]
#[ignore]
fn dump() {
    let notice = analysis_support::seed();
    let a = analyse_notice(&notice, None);
    for t in &a.tasks {
        println!(
            "== {} {} mixed={} | {}",
            t.number,
            t.status.code(),
            t.mixed,
            t.explanation
        );
        for e in &t.evidence {
            print!(" [{}:{}]", e.text, e.label);
        }
        println!();
        for s in &t.subitems {
            println!(
                "   sub {} {} | {} | {:?}",
                s.label,
                s.status.code(),
                s.explanation,
                s.evidence
                    .iter()
                    .map(|e| e.text.as_str())
                    .collect::<Vec<_>>()
            );
        }
        for u in &t.unit_parts {
            println!(
                "   unit {} ({} {:?} {:?}) {} | {}",
                u.unit,
                u.written_as,
                u.resolution,
                u.probable,
                u.status.code(),
                u.explanation
            );
        }
        for d in &t.deadlines {
            println!(
                "   date {:?} {:?} {:?} {}",
                d.date, d.kind, d.source, d.phrase
            );
        }
        for f in &t.figures {
            print!(" {{{} {} {:?} m={}}}", f.value, f.unit, f.kind, f.measure);
        }
        println!();
        if let Some(p) = &t.pace {
            for c in &p.checks {
                println!(
                    "   pace {:?} {} vs {} {} | {}",
                    c.judgement, c.actual, c.expected, c.basis, c.phrase
                );
            }
        }
        println!(
            "   due={:?} overdue={} ongoing={}",
            t.due, t.overdue, t.ongoing
        );
    }
    println!("{:?}", a.summary);
}
