//! `duban audit …` (verify the chain, the retention job, the hash algorithm),
//! `duban backup FILE` and `duban restore FILE`.
//!
//! A backup is a copy of the whole store into a new SQLite file (`Store::copy_into`,
//! as `migrate-data` does): one read snapshot of the source, so it is consistent while
//! servers keep writing, with every table (attachments and the audit log included)
//! counted and checksummed on both sides. The same format whichever backend the store
//! is on; restoring is the copy back into the store `DATABASE_URL` names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use duban_store::audit::{HashAlgorithm, Verification};
use duban_store::{CopyOptions, Store, StoreError, TableCopy};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 逐条核验审计日志的哈希链：发现被修改、删除或调换顺序的记录时指出第一处并以非零状态退出
    Verify {
        /// 以 JSON 输出结果
        #[arg(long)]
        json: bool,
    },
    /// 清理到期的审计记录（保留期至少 180 天，更近的日期会被拒绝）；清理本身记入审计日志
    Prune {
        /// 删除此日期（北京时间）之前的记录，如 2025-01-01
        #[arg(long)]
        before: String,
    },
    /// 设置此后新记录使用的哈希算法（已有记录保留其原算法，均可核验）
    Algorithm {
        #[arg(value_enum)]
        algorithm: AlgorithmChoice,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AlgorithmChoice {
    /// SHA-256（默认）
    Sha256,
    /// SM3 国密杂凑算法（GB/T 32905-2016）
    Sm3,
}

pub async fn audit(store: &Store, command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify { json } => {
            // Changes committed but not yet chained (a server stopped between a commit
            // and its link) are chained first, so the walk covers them. A store that
            // cannot be written (read-only) is walked as it is.
            if let Err(e) = store.link_audit().await {
                eprintln!("注意：未能将待链接的审计记录链入哈希链（{e}），本次核验不含这些记录。");
            }
            let v = store.verify_audit().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", verification_text(&v));
            }
            Ok(if v.tampering.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Prune { before } => {
            let before = NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d")
                .map_err(|_| anyhow!("--before “{before}”不是日期，请写成 2025-01-01 的形式"))?;
            let pruned = store.prune_audit(before).await?;
            if pruned.removed == 0 {
                println!("{before} 之前没有审计记录，未删除任何内容。");
            } else {
                println!(
                    "已删除 {before} 之前的 {} 条审计记录（第 {} 条及以前），清理操作已记入审计日志。",
                    pruned.removed, pruned.through
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Algorithm { algorithm } => {
            let algorithm = match algorithm {
                AlgorithmChoice::Sha256 => HashAlgorithm::Sha256,
                AlgorithmChoice::Sm3 => HashAlgorithm::Sm3,
            };
            store.set_audit_algorithm(algorithm).await?;
            println!(
                "此后的审计记录使用 {} 计算哈希；已有记录保留原算法。",
                match algorithm {
                    HashAlgorithm::Sha256 => "SHA-256",
                    HashAlgorithm::Sm3 => "SM3",
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verification_text(v: &Verification) -> String {
    let range = match (v.first, v.last) {
        (Some(first), Some(last)) => format!("第 {first} 至 {last} 条"),
        _ => "无".to_string(),
    };
    let pruned = if v.pruned_through > 0 {
        format!("（第 1 至 {} 条已按保留期清理）", v.pruned_through)
    } else {
        String::new()
    };
    let waiting = if v.waiting > 0 {
        format!(
            "另有 {} 条已提交的审计记录尚未链入哈希链，未参与本次核验。\n",
            v.waiting
        )
    } else {
        String::new()
    };
    match &v.tampering {
        None => format!(
            "审计日志完整：共核验 {} 条记录（{range}）{pruned}，哈希链无断裂。\n最后一条的哈希：{}\n（可将此哈希与记录序号另行保存，日后核对日志未被整体改写。）\n{waiting}",
            v.entries, v.last_hash
        ),
        Some(t) => format!(
            "审计日志被篡改：{t}。\n此前 {} 条记录核验无误{pruned}。\n",
            v.entries
        ),
    }
}

fn print_tables(tables: &[TableCopy]) {
    for t in tables {
        println!("{:<20} {:>9} 行  校验和 {}", t.table, t.rows, t.checksum);
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// `duban backup FILE`: the store copied into a new SQLite file, written beside it
/// under a temporary name and renamed only once the copy is checked and closed, so
/// an interrupted backup leaves no file that looks complete.
pub async fn backup(store: &Store, file: &Path) -> Result<ExitCode> {
    if file.exists() {
        bail!(
            "备份文件 {} 已存在。为免覆盖已有备份，请换一个文件名",
            file.display()
        );
    }
    let partial = PathBuf::from(format!("{}.partial", file.display()));
    let _ = std::fs::remove_file(&partial);
    let target = Store::connect(&sqlite_url(&partial))
        .await
        .with_context(|| format!("无法创建备份文件 {}", partial.display()))?;
    let copied = store.copy_into(&target, |_| {}).await;
    target.close().await;
    let tables = match copied {
        Ok(tables) => tables,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow!(e).context("备份失败，未生成备份文件"));
        }
    };
    std::fs::rename(&partial, file)
        .with_context(|| format!("无法把备份写为 {}", file.display()))?;
    print_tables(&tables);
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    store
        .record_event(
            "backup",
            Some(&file.display().to_string()),
            serde_json::json!({
                "file": file.display().to_string(),
                "tables": tables.len(),
                "rows": rows,
            }),
        )
        .await?;
    println!(
        "已备份 {} 张表共 {rows} 行（含佐证材料和审计日志）到 {}，各表行数和校验和已核对一致。",
        tables.len(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban restore FILE`: the backup copied into the store `DATABASE_URL` names, in
/// one transaction; a store holding anything is refused unless `force`, which
/// replaces what it holds in that same transaction.
pub async fn restore(store: &Store, file: &Path, force: bool) -> Result<ExitCode> {
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    let source = Store::connect_one(&sqlite_url(file)).await.map_err(|e| {
        anyhow!(StoreError::NotABackup {
            path: file.display().to_string(),
            reason: e.to_string(),
        })
    })?;
    let checked = source.verify_audit().await;
    let result = source
        .copy_logged(
            store,
            CopyOptions {
                replace: force,
                event: Some((
                    "restore".into(),
                    serde_json::json!({ "file": file.display().to_string() }),
                )),
            },
            |_| {},
        )
        .await;
    source.close().await;
    let tables = match result {
        Ok(tables) => tables,
        Err(StoreError::TargetNotEmpty { table, rows }) => bail!(
            "目标数据库不是空的（表 {table} 已有 {rows} 行）。恢复会替换其中的全部数据；\
             确需替换请加 --force，否则请恢复到一个新建的空数据库"
        ),
        Err(e) => return Err(anyhow!(e).context("恢复失败，目标数据库保持原样")),
    };
    print_tables(&tables);
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    println!(
        "已从 {} 恢复 {} 张表共 {rows} 行，各表行数和校验和已核对一致；恢复操作已记入审计日志。",
        file.display(),
        tables.len()
    );
    match checked {
        Ok(v) if v.tampering.is_none() => {}
        Ok(v) => eprintln!(
            "注意：备份中的审计日志核验未通过：{}",
            verification_text(&v)
        ),
        Err(e) => eprintln!("注意：未能核验备份中的审计日志：{e}"),
    }
    Ok(ExitCode::SUCCESS)
}
