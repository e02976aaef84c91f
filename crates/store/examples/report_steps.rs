//! Durable report steps from many writers at once, on either backend: how many state
//! changes a second the store commits when every step changes a report's state (so the
//! round counts and the store's generation move with each), all in one round (the
//! rows every step touches are the same few). A measurement, not a test:
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres duban_bench
//! cargo run --release -p duban-store --example report_steps -- \
//!     postgres://postgres@127.0.0.1:5432/duban_bench [writers] [reports] [no-audit]
//! dropdb -h 127.0.0.1 -U postgres duban_bench
//! ```
//!
//! The database must be empty (a new file, or a new PostgreSQL database). Each of
//! `writers` (default 16) takes reports off a shared list and saves a draft of each,
//! then submits it: two state changes per report, `reports` (default 2000) reports.
//! At the end it checks that every step's audit entries are in one intact chain.
//! `no-audit` turns the audit triggers off for the steps (as a copy does while it
//! fills a store): the same steps without the audit log's cost, for comparison.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use duban_domain::{
    Document, Notice, ReportAction, RichText, Role, TaskDraft, UnitDirectory, Username,
};
use duban_store::{NewRound, NewUser, ReportChange, ReportFilter, Store, User};

const UNITS: usize = 20;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: report_steps DATABASE_URL [writers] [reports] [no-audit]")?;
    let writers: usize = args.next().map_or(Ok(16), |a| a.parse())?;
    let reports: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let audit = args.next().as_deref() != Some("no-audit");

    let store = Store::connect(&url).await?;
    let unit = |i: usize| format!("区第{:02}局", i % UNITS + 1);
    let drafts: Vec<TaskDraft> = (1..=reports)
        .map(|n| TaskDraft {
            number: u32::try_from(n).unwrap_or(u32::MAX),
            content: RichText::plain(&format!("第{n}项任务")),
            lead_units: unit(n),
            ..TaskDraft::default()
        })
        .collect();
    let notice = Notice::assemble(Document::default(), drafts, &UnitDirectory::default());
    let document = store.save_notice(&notice, "bench.txt", false).await?.id();
    let account = |name: &str, role, unit: Option<String>| NewUser {
        username: Username::parse(name).unwrap_or_else(|_| panic!("{name}")),
        display_name: name.to_string(),
        role,
        unit,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: false,
    };
    let office = store
        .create_user(account("office", Role::Supervisor, None))
        .await?;
    let mut reporters: Vec<User> = Vec::new();
    for i in 0..UNITS {
        reporters.push(
            store
                .create_user(account(
                    &format!("reporter{i:02}"),
                    Role::Reporter,
                    Some(unit(i)),
                ))
                .await?,
        );
    }
    let due = NaiveDate::from_ymd_opt(2030, 12, 31).ok_or("date")?;
    let round = store
        .open_round(
            NewRound {
                document,
                label: "测试轮次".into(),
                due,
                tasks: None,
            },
            office.id,
            Utc::now(),
        )
        .await?;
    let list = store
        .reports(&ReportFilter {
            round: Some(round),
            ..ReportFilter::default()
        })
        .await?;
    let work: Vec<_> = list
        .into_iter()
        .map(|r| {
            let reporter = reporters
                .iter()
                .find(|u| u.unit.as_deref() == Some(r.unit.as_str()))
                .cloned()
                .ok_or("a reporter for every unit")?;
            Ok::<_, &str>((r.id, reporter))
        })
        .collect::<Result<_, _>>()?;
    let work = Arc::new(Mutex::new(work));
    if !audit {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await?;
        sqlx::query("UPDATE audit_head SET capture = 0 WHERE id = 1")
            .execute(&pool)
            .await?;
        pool.close().await;
    }

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let store = store.clone();
        let work = Arc::clone(&work);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let next = work.lock().map(|mut w| w.pop()).unwrap_or(None);
                let Some((id, reporter)) = next else { break };
                for action in [ReportAction::SaveDraft, ReportAction::Submit] {
                    let change = ReportChange {
                        action,
                        text: Some(RichText::plain("已完成阶段性任务")),
                        percent: Some(duban_domain::Percent::new(50).expect("50")),
                        comment: None,
                    };
                    let t = Instant::now();
                    store
                        .act_on_report(id, &reporter, change, Utc::now())
                        .await?;
                    latencies.push(t.elapsed());
                }
            }
            Ok::<_, duban_store::StoreError>(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let summary = store.round(round).await?.ok_or("the round")?;
    println!(
        "{} steps by {writers} writers in {:.2} s: {:.0} steps/s, p50 {:.1} ms, p99 {:.1} ms \
         (round counts: {} reports, {} reported)",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        summary.reports,
        summary.reported,
    );
    // Every step's entries are in the one chain: those still waiting for a link when
    // the last writer was answered, and the chain as `duban audit verify` walks it.
    let waiting = store.verify_audit().await?.waiting;
    store.link_audit().await?;
    let audit = store.verify_audit().await?;
    println!(
        "audit log: {} entries, {} were waiting for a link at the end, intact: {}",
        audit.entries,
        waiting,
        audit.tampering.is_none() && audit.waiting == 0,
    );
    store.close().await;
    Ok(())
}
