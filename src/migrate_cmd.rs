//! `duban migrate-data`: everything in one database copied into a new, empty one, from
//! SQLite to PostgreSQL or back (`Store::copy_into` does the work and the checking).

use std::process::ExitCode;

use anyhow::{Context, Result};
use duban_store::Store;

pub async fn migrate_data(from: &str, to: &str) -> Result<ExitCode> {
    let source = Store::connect_one(from)
        .await
        .context("无法打开源数据库（--from）")?;
    let target = Store::connect(to)
        .await
        .context("无法打开目标数据库（--to）")?;
    let event = duban_store::CopyOptions {
        replace: false,
        event: Some((
            "migrate_data".into(),
            serde_json::json!({ "from": from_shown(from) }),
        )),
    };
    let copied = source.copy_logged(&target, event, |table| {
        println!(
            "{:<20} {:>9} 行  校验和 {}",
            table.table, table.rows, table.checksum
        );
    });
    let result = copied.await;
    // Closed either way: SQLite folds its write-ahead log into the file.
    target.close().await;
    source.close().await;
    let tables = result.context("复制失败，目标数据库保持原样")?;
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    println!(
        "已复制 {} 张表共 {rows} 行，各表行数和校验和两边一致，已在目标数据库提交。",
        tables.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The source's URL as the audit log may show it: without a password.
fn from_shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let authority = &url[scheme + 3..at];
            let user = authority.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}
