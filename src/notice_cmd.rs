//! `duban rounds` and `duban notice`: reporting rounds, and a round's own 通报.

use std::path::PathBuf;

use anyhow::{Context, Result};
use duban_store::Store;

use crate::render_cmd::{self, RenderFormat};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum NoticeFormat {
    /// JSON 交换格式，另含各任务状态、统计数字、正文段落和轮次
    Json,
    /// Markdown
    Md,
    /// Word 文档（GB/T 9704 版式）
    Docx,
    /// PDF（GB/T 9704 版式，嵌入字体）
    Pdf,
    /// Excel 工作簿
    Xlsx,
    /// 网页
    Html,
}

/// The rounds, newest first, as a table or JSON.
pub async fn rounds(store: &Store, json: bool) -> Result<String> {
    let rounds = store.rounds(None).await?;
    if json {
        return Ok(serde_json::to_string_pretty(&rounds)? + "\n");
    }
    if rounds.is_empty() {
        return Ok("还没有填报轮次。\n".into());
    }
    let mut out = String::from("编号\t文件\t期间\t截止\t状态\t应报\t已采纳\n");
    for r in rounds {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.id,
            r.doc_number
                .unwrap_or_else(|| format!("文件 {}", r.document)),
            r.label,
            r.due,
            if r.closed { "已关闭" } else { "进行中" },
            r.reports,
            r.accepted,
        ));
    }
    Ok(out)
}

/// Writes round `round`'s notice in `format`: to `output`, or JSON and markdown to
/// standard output and files named after the round otherwise.
pub async fn notice(
    store: &Store,
    round: i64,
    public: bool,
    format: NoticeFormat,
    output: Option<PathBuf>,
) -> Result<()> {
    let prepared = duban_web::notices::prepare(store, round, None)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    for m in &prepared.mismatches {
        eprintln!("注意：{m}");
    }
    let text = match format {
        NoticeFormat::Json => serde_json::to_string_pretty(&prepared.json(public))? + "\n",
        NoticeFormat::Md => duban_formats::to_markdown(&prepared.notice(public)),
        NoticeFormat::Docx | NoticeFormat::Pdf | NoticeFormat::Xlsx | NoticeFormat::Html => {
            let (render_format, extension) = match format {
                NoticeFormat::Docx => (RenderFormat::Docx, "docx"),
                NoticeFormat::Pdf => (RenderFormat::Pdf, "pdf"),
                NoticeFormat::Xlsx => (RenderFormat::Xlsx, "xlsx"),
                _ => (RenderFormat::Html, "html"),
            };
            let notice = prepared.notice(public);
            // A notice not yet issued has no 文号 to name the file after.
            let output = output.or_else(|| {
                notice
                    .document
                    .doc_number
                    .is_none()
                    .then(|| PathBuf::from(format!("第{round}轮通报（草稿）.{extension}")))
            });
            let layout = prepared
                .source
                .setup
                .as_ref()
                .map(|s| s.settings.signature_layout)
                .unwrap_or_default();
            let path =
                render_cmd::render_to_file(&notice, round, render_format, output, None, layout)?;
            eprintln!("已生成 {}", path.display());
            return Ok(());
        }
    };
    match output {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("无法写入 {}", path.display()))?
        }
        None => crate::cli::print_out(&text)?,
    }
    Ok(())
}
