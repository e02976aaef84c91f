use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use duban_domain::Notice;
use duban_formats::interchange::to_json;
use duban_formats::{Format, Imported, import_with_report, to_markdown};
use duban_store::{DocumentId, SaveOutcome, Store};

use crate::{analyse, render_cmd, web_cmd};

/// The seed notice, shipped inside the binary as the demo data.
const SEED_NAME: &str = "000_5b3cae3e93885f9f.txt";
const SEED: &str = include_str!("../data/seed/000_5b3cae3e93885f9f.txt");

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办：政府督查督办任务的导入、跟踪与通报",
    long_about = "督办（duban）把领导讲话、会议部署分解为编号任务，汇集各责任单位的落实情况，并生成落实情况通报。\n数据默认保存在当前目录的 SQLite 数据库 duban.db 中；也可使用 PostgreSQL。数据库用 --database-url 或环境变量 DATABASE_URL 指定。",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// 显示帮助
    #[arg(short, long, action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,

    /// 显示版本
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,

    /// 数据库地址，如 sqlite://duban.db 或 postgres://用户名:密码@主机:端口/数据库名
    // The variable's value is never shown in the help: it may hold a password.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://duban.db"
    )]
    database_url: String,

    /// Whether the database was named (flag or environment) rather than defaulted.
    #[arg(skip)]
    database_url_given: bool,

    /// 设置或重置密码时使用的杂凑算法（已保存的两种密码均可验证）
    #[arg(
        long,
        global = true,
        env = "DUBAN_PASSWORD_HASH",
        value_enum,
        default_value = "argon2id"
    )]
    password_hash: PasswordHashChoice,

    #[command(subcommand)]
    command: Command,
}

const HELP_TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

#[derive(Subcommand)]
enum Command {
    /// 导入通报或落实情况表（txt、md、html、docx、xlsx、json），每个文件一个事务
    Import {
        /// 要导入的文件，可以有多个
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// 指定文件格式，不指定时按内容自动识别
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
        /// 文号已存在且内容不同时，用新内容替换已存的文档
        #[arg(long)]
        replace: bool,
    },
    /// 导出一份文档（JSON 交换格式或 Markdown）
    Export {
        /// 文号（如 泉鲤政办〔2020〕48号）或 duban list 显示的编号
        doc: String,
        /// 导出格式
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// 写入文件；不指定时输出到屏幕
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// 列出已导入的文档及其编号、任务数
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// 列出任务，可按文档和单位筛选
    Tasks {
        /// 文号或编号；不指定时列出全部文档的任务
        doc: Option<String>,
        /// 只列出该单位牵头或配合的任务（可写简称或别名）
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// 单位名录：规范名称、类别、别名及疑似笔误
    Units {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// 生成通报：Word、PDF（GB/T 9704 公文版式）、Excel 或网页
    Render {
        /// 文号（如 泉鲤政办〔2020〕48号）或 duban list 显示的编号
        doc: String,
        #[arg(long, value_enum)]
        format: render_cmd::RenderFormat,
        /// 输出文件；缺省以文号命名，写在当前目录
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// 字体目录：放入已授权的方正小标宋简体、仿宋_GB2312、黑体、楷体_GB2312 等字体文件，PDF 将优先使用
        #[arg(long, env = "DUBAN_FONTS_DIR")]
        fonts_dir: Option<PathBuf>,
    },
    /// 列出填报轮次（编号、文件、期间、状态）
    Rounds {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// 生成一轮填报的通报：附件表由本轮已采纳的填报组成，正文中的数字均由附件表统计
    Notice {
        /// 填报轮次编号（见 duban rounds）
        round: i64,
        /// 输出公开版（不含标为内部内容的段落）
        #[arg(long)]
        public: bool,
        #[arg(long, value_enum)]
        format: crate::notice_cmd::NoticeFormat,
        /// 输出文件；JSON 和 Markdown 缺省写到标准输出
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// 分析落实情况：每项任务（及分项）的状态与依据、序时进度、时间节点、关键数字、各单位部分
    Analyse {
        /// 文号（如 泉鲤政办〔2020〕48号）或 duban list 显示的编号
        doc: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// 按此日期判断序时进度和逾期（缺省为文件的成文日期），如 2020-11-30
        #[arg(long)]
        as_of: Option<String>,
    },
    /// 启动网页应用和 JSON API
    Serve {
        #[command(flatten)]
        options: web_cmd::ServeOptions,
    },
    /// 演示：在内存数据库中载入示例通报（泉鲤政办〔2020〕48号）和各角色演示账户，并启动网页应用
    Demo {
        #[command(flatten)]
        options: web_cmd::ServeOptions,
    },
    /// 生成大规模演示数据（区县、单位、通报、任务和全年各月的填报），用于试用和性能测试；只写入空数据库
    DemoData {
        #[command(flatten)]
        options: crate::demo_data::DemoDataOptions,
    },
    /// 把一个数据库的全部数据复制到另一个新建的空数据库（SQLite 与 PostgreSQL 之间均可），
    /// 包括历史记录、佐证材料和审计记录；在目标数据库的一个事务中完成，逐表核对行数和校验和，
    /// 不一致或中途出错时目标数据库不写入任何内容
    MigrateData {
        /// 源数据库地址，如 sqlite://duban.db
        #[arg(long)]
        from: String,
        /// 目标数据库地址（须为空库），如 postgres://用户名:密码@主机:5432/数据库名
        #[arg(long)]
        to: String,
    },
    /// 账户管理：新建、重置密码、改角色、解锁、列出
    User {
        #[command(subcommand)]
        command: crate::user_cmd::UserCommand,
        #[command(flatten)]
        security: crate::user_cmd::SecurityOptions,
    },
    /// 审计日志：核验哈希链、清理到期记录、设置哈希算法
    Audit {
        #[command(subcommand)]
        command: crate::reliability_cmd::AuditCommand,
    },
    /// 备份：把数据库的全部数据（含佐证材料和审计日志）复制到一个新的 SQLite 文件；服务运行中也可备份，得到同一时刻的一致快照
    Backup {
        /// 备份文件（不能已存在），如 duban-2026-12-04.backup
        file: PathBuf,
    },
    /// 恢复：把备份文件的全部数据恢复到 DATABASE_URL 指定的数据库（须为空库，除非加 --force）
    Restore {
        /// duban backup 生成的备份文件
        file: PathBuf,
        /// 目标数据库已有数据时，用备份替换其全部数据（在一个事务中完成）
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    /// 制表符分隔的文本（如示例通报）
    Tsv,
    /// Markdown 表格
    Md,
    /// HTML 表格
    Html,
    /// 以“|”结尾、每行一个单元格
    Pipe,
    /// 每行（或每段）一个单元格
    Flat,
    /// Word 文档
    Docx,
    /// Excel 工作簿
    Xlsx,
    /// CSV 表格（Excel、WPS 另存的逗号或制表符分隔文件，UTF-8 或 GBK）
    Csv,
    /// duban JSON 交换格式
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Md,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

/// clap's derive sets headings per struct; the subcommands, at every depth (`user
/// add`), get the Chinese template and headings here, and each choice of values is
/// listed in Chinese (clap's own list says "Possible values:").
fn command() -> clap::Command {
    localised(Cli::command())
}

fn localised(command: clap::Command) -> clap::Command {
    command
        .mut_args(chinese_headings)
        .mut_subcommands(|sub| localised(sub.help_template(HELP_TEMPLATE)))
}

fn chinese_headings(a: clap::Arg) -> clap::Arg {
    let heading = if a.is_positional() {
        "参数"
    } else {
        "选项"
    };
    // What clap would append in English ([env: …] [default: …], Possible values:),
    // said in Chinese at the end of the help instead.
    let mut notes = Vec::new();
    if let Some(env) = a.get_env() {
        notes.push(format!("环境变量 {}", env.to_string_lossy()));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && a.get_action().takes_values() {
        notes.push(format!("默认 {}", defaults.join(" ")));
    }
    let choices: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(help) => format!("  {}：{help}", v.get_name()),
            None => format!("  {}", v.get_name()),
        })
        .collect();
    let takes_values = a.get_action().takes_values();
    let mut a = a.help_heading(heading).hide_env(true);
    if takes_values {
        a = a.hide_default_value(true);
    }
    let help = a.get_help().map(ToString::to_string).unwrap_or_default();
    let long = a.get_long_help().map(ToString::to_string);
    let mut short = help.clone();
    if !notes.is_empty() {
        short = format!("{help}（{}）", notes.join("；"));
        a = a.help(short.clone());
    }
    if !choices.is_empty() && takes_values {
        let base = long.map_or(short, |l| {
            if notes.is_empty() {
                l
            } else {
                format!("{l}（{}）", notes.join("；"))
            }
        });
        let base = if base.is_empty() {
            base
        } else {
            format!("{base}\n\n")
        };
        a = a
            .hide_possible_values(true)
            .long_help(format!("{base}可选值：\n{}", choices.join("\n")));
    }
    a
}

/// `--password-hash`: the algorithm new password hashes use (`web::auth::hashing`).
#[derive(Clone, Copy, ValueEnum)]
pub enum PasswordHashChoice {
    /// argon2id（默认）
    Argon2id,
    /// 国密 SM3：PBKDF2-HMAC-SM3，随机盐，迭代 600000 次（GB/T 39786-2021）
    Sm3,
}

pub fn run() -> Result<ExitCode> {
    let matches = command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.database_url_given =
        matches.value_source("database_url") != Some(clap::parser::ValueSource::DefaultValue);
    // The server wants every core; a one-shot command is done before worker threads
    // would have started, so it runs on the calling thread.
    let runtime = match cli.command {
        Command::Serve { .. } | Command::Demo { .. } => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()
    .context("无法启动运行时")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    runtime.block_on(dispatch(cli))
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    duban_web::auth::hashing::set_password_hashing(match cli.password_hash {
        PasswordHashChoice::Argon2id => duban_web::auth::hashing::PasswordHashing::Argon2id,
        PasswordHashChoice::Sm3 => duban_web::auth::hashing::PasswordHashing::Sm3,
    });
    // Two databases of its own; the default one is not opened.
    if let Command::MigrateData { from, to } = &cli.command {
        return crate::migrate_cmd::migrate_data(from, to).await;
    }
    // The demo runs on its own in-memory store unless a database is named explicitly,
    // so its accounts and passwords never outlive it.
    let url = match &cli.command {
        Command::Demo { .. } if !cli.database_url_given => "sqlite::memory:",
        _ => cli.database_url.as_str(),
    };
    // Who acts for the audit log outside a web request: the server itself, or the
    // operating-system account that ran this command.
    duban_store::audit::set_process_actor(match cli.command {
        Command::Serve { .. } | Command::Demo { .. } => duban_store::audit::Actor::system(),
        _ => duban_store::audit::Actor {
            user_id: None,
            name: format!(
                "命令行（系统用户 {}）",
                std::env::var("USER")
                    .or_else(|_| std::env::var("LOGNAME"))
                    .unwrap_or_else(|_| "未知".into())
            ),
            address: None,
            request: Some(format!("duban {}", cli.command.name())),
        },
    });
    let store = match cli.command {
        Command::Serve { .. } | Command::Demo { .. } => Store::connect(url).await,
        _ => Store::connect_one(url).await,
    }
    .map_err(|e| anyhow!(e))?;
    let writes = cli.command.writes();
    let outcome = run_command(&store, cli.command).await;
    if writes {
        // Closed before the process exits, SQLite folds the write-ahead log into the
        // database file and removes it: the file alone then holds everything (a copy
        // of it is a complete backup), and the next command need not read the log.
        store.close().await;
    } else {
        // A command that only read has nothing to fold in: closing would only delete
        // the empty log files the next command creates again (measured: 4 % of
        // `duban render`). The operating system releases the connection at exit,
        // which SQLite treats like any ended process.
        std::mem::forget(store);
    }
    outcome
}

impl Command {
    /// The subcommand as typed (for the audit log; never its arguments, which may hold
    /// a database URL with its password).
    fn name(&self) -> &'static str {
        match self {
            Command::Import { .. } => "import",
            Command::Export { .. } => "export",
            Command::List { .. } => "list",
            Command::Tasks { .. } => "tasks",
            Command::Units { .. } => "units",
            Command::Render { .. } => "render",
            Command::Rounds { .. } => "rounds",
            Command::Notice { .. } => "notice",
            Command::Analyse { .. } => "analyse",
            Command::Serve { .. } => "serve",
            Command::Demo { .. } => "demo",
            Command::DemoData { .. } => "demo-data",
            Command::MigrateData { .. } => "migrate-data",
            Command::User { .. } => "user",
            Command::Audit { .. } => "audit",
            Command::Backup { .. } => "backup",
            Command::Restore { .. } => "restore",
        }
    }

    /// Whether the command may write to the database. The commands listed here only
    /// read; any other, including one added later, counts as writing.
    fn writes(&self) -> bool {
        !matches!(
            self,
            Command::Export { .. }
                | Command::List { .. }
                | Command::Tasks { .. }
                | Command::Units { .. }
                | Command::Render { .. }
                | Command::Analyse { .. }
                | Command::Rounds { .. }
                | Command::Notice { .. }
        )
    }
}

async fn run_command(store: &Store, command: Command) -> Result<ExitCode> {
    match command {
        Command::Import {
            paths,
            format,
            replace,
        } => import_files(store, &paths, format, replace).await,
        Command::Export {
            doc,
            format,
            output,
        } => {
            let id = find(store, &doc).await?;
            let notice = store.load_notice(id).await?;
            let text = match format {
                ExportFormat::Json => serde_json::to_string_pretty(&to_json(&notice))? + "\n",
                ExportFormat::Md => to_markdown(&notice),
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("无法写入 {}", path.display()))?,
                None => print_out(&text)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::List { format } => {
            let docs = store.list_documents().await?;
            if format == ListFormat::Json {
                let rows: Vec<serde_json::Value> = docs
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "id": d.id.0, "doc_number": d.doc_number, "title": d.title, "tasks": d.tasks,
                        })
                    })
                    .collect();
                print_out(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
            } else if docs.is_empty() {
                print_out("尚未导入任何文档。用 duban import 文件 导入。\n")?;
            } else {
                let mut out = String::from("编号\t文号\t任务数\t标题\n");
                for d in &docs {
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\n",
                        d.id,
                        d.doc_number.as_deref().unwrap_or("（无文号）"),
                        d.tasks,
                        d.title.as_deref().unwrap_or("（无标题）")
                    ));
                }
                print_out(&out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tasks { doc, unit, format } => {
            let doc = match doc {
                Some(key) => Some(find(store, &key).await?),
                None => None,
            };
            let unit = match unit {
                Some(written) => Some(resolve_unit(store, &written).await?),
                None => None,
            };
            let tasks = store.tasks(doc, unit.as_deref()).await?;
            if format == ListFormat::Json {
                let rows: Vec<serde_json::Value> = tasks
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "document": t.document.0, "doc_number": t.doc_number, "number": t.number,
                            "content": t.content, "lead_units": t.lead_units, "cooperating_units": t.cooperating_units,
                        })
                    })
                    .collect();
                print_out(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
            } else {
                print_out(&tasks_text(&tasks))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Units { format } => {
            let units = store.units().await?;
            if format == ListFormat::Json {
                let rows: Vec<serde_json::Value> = units
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "name": u.name, "kind": u.kind, "aliases": u.aliases, "lead_tasks": u.lead_tasks,
                            "probable_typos": u.flags.iter().map(|f| serde_json::json!({
                                "written": f.written, "document": f.document.0, "doc_number": f.doc_number,
                                "task": f.task, "field": f.field,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_out(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
            } else {
                let mut out = String::from("单位\t类别\t牵头任务数\t别名\n");
                let mut typos = String::new();
                for u in &units {
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\n",
                        u.name,
                        u.kind.label(),
                        u.lead_tasks,
                        if u.aliases.is_empty() {
                            "—".to_string()
                        } else {
                            u.aliases.join("、")
                        }
                    ));
                    for f in &u.flags {
                        typos.push_str(&format!(
                            "“{}”疑为“{}”：{} 第 {} 项{}（未自动更正，请核实）\n",
                            f.written,
                            u.name,
                            f.doc_number
                                .as_deref()
                                .unwrap_or(&format!("编号 {}", f.document)),
                            f.task,
                            f.field
                        ));
                    }
                }
                if !typos.is_empty() {
                    out.push_str("\n疑似笔误：\n");
                    out.push_str(&typos);
                }
                print_out(&out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Render {
            doc,
            format,
            output,
            fonts_dir,
        } => {
            let id = find(store, &doc).await?;
            let notice = store.load_notice(id).await?;
            // The office's 署名 layout (notice settings), sealed when it has set none.
            let layout = store
                .notice_setup()
                .await?
                .map(|s| s.settings.signature_layout)
                .unwrap_or_default();
            let path = render_cmd::render_to_file(
                &notice,
                id,
                format,
                output,
                fonts_dir.as_deref(),
                layout,
            )?;
            eprintln!("已生成 {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Rounds { format } => {
            print_out(
                &crate::notice_cmd::rounds(store, matches!(format, ListFormat::Json)).await?,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Notice {
            round,
            public,
            format,
            output,
        } => {
            crate::notice_cmd::notice(store, round, public, format, output).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyse { doc, format, as_of } => {
            let id = find(store, &doc).await?;
            let notice = store.load_notice(id).await?;
            let as_of = as_of.as_deref().map(analyse::parse_as_of).transpose()?;
            let text = match format {
                ListFormat::Json => analyse::analyse_json(&notice, as_of)? + "\n",
                ListFormat::Text => analyse::analyse_text(&notice, as_of),
            };
            print_out(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { options } => {
            web_cmd::serve(store.clone(), &options, None).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { options } => {
            let banner = web_cmd::prepare_demo(store, SEED, SEED_NAME).await?;
            web_cmd::serve(store.clone(), &options, Some(banner)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command, security } => {
            print_out(&(crate::user_cmd::user(store, command, &security).await? + "\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData { options } => crate::demo_data::demo_data(store, &options).await,
        Command::Audit { command } => crate::reliability_cmd::audit(store, command).await,
        Command::Backup { file } => crate::reliability_cmd::backup(store, &file).await,
        Command::Restore { file, force } => {
            crate::reliability_cmd::restore(store, &file, force).await
        }
        // `dispatch` runs it before opening `store`, which it does not use.
        Command::MigrateData { from, to } => crate::migrate_cmd::migrate_data(&from, &to).await,
    }
}

/// Prints to stdout; a closed pipe (`duban list | head`) is not an error.
pub(crate) fn print_out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("无法输出"),
    }
}

async fn find(store: &Store, key: &str) -> Result<DocumentId> {
    store
        .find_document(key)
        .await?
        .ok_or_else(|| anyhow!("找不到文档“{key}”。请用 duban list 查看已导入文档的编号和文号。"))
}

async fn resolve_unit(store: &Store, written: &str) -> Result<String> {
    let directory = store.directory().await?;
    let index = directory.resolve(written.trim()).index();
    match index.and_then(|i| directory.units.get(i)) {
        Some(unit) => Ok(unit.name.clone()),
        None => {
            let hint = directory
                .probable_typo(written.trim())
                .map(|u| format!("是否要找“{}”？", u.name))
                .unwrap_or_else(|| "请用 duban units 查看单位名录。".into());
            Err(anyhow!("单位名录中没有“{written}”。{hint}"))
        }
    }
}

fn doc_label(notice: &Notice) -> String {
    notice
        .document
        .doc_number
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| notice.document.title.clone())
        .or_else(|| notice.document.table_title.clone())
        .unwrap_or_else(|| "（无文号文档）".into())
}

fn describe_outcome(notice: &Notice, outcome: &SaveOutcome) -> String {
    let label = doc_label(notice);
    let flags = if notice.unit_flags.is_empty() {
        String::new()
    } else {
        format!(
            "；{} 处疑似单位名称笔误（用 duban units 查看）",
            notice.unit_flags.len()
        )
    };
    match outcome {
        SaveOutcome::Created(id) => format!(
            "已导入 {label}（编号 {id}）：{} 项任务，{} 个单位{flags}",
            notice.tasks.len(),
            notice.units.units.len()
        ),
        SaveOutcome::Replaced(id) => format!(
            "已替换 {label}（编号 {id}）：{} 项任务{flags}",
            notice.tasks.len()
        ),
        SaveOutcome::Unchanged(id) => {
            format!("未变化：{label}（编号 {id}）已导入且内容相同，未做任何修改")
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    let first_line = text.lines().next().unwrap_or("");
    let mut out: String = first_line.chars().take(max).collect();
    if first_line.chars().count() > max || text.lines().nth(1).is_some() {
        out.push('…');
    }
    out
}

fn tasks_text(tasks: &[duban_store::TaskSummary]) -> String {
    if tasks.is_empty() {
        return "没有符合条件的任务。\n".into();
    }
    let mut out = String::new();
    let mut current: Option<DocumentId> = None;
    for t in tasks {
        if current != Some(t.document) {
            current = Some(t.document);
            out.push_str(&format!(
                "{}（编号 {}）\n",
                t.doc_number.as_deref().unwrap_or("（无文号）"),
                t.document
            ));
        }
        out.push_str(&format!(
            "{:>4}. 【{}】{}\n",
            t.number,
            t.lead_units.join("、"),
            truncate(&t.content, 40)
        ));
    }
    out
}

async fn import_files(
    store: &Store,
    paths: &[PathBuf],
    format: Option<InputFormat>,
    replace: bool,
) -> Result<ExitCode> {
    let bar = (paths.len() > 1).then(|| {
        let bar = indicatif::ProgressBar::new(paths.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let say = |line: String| match &bar {
        // `println` is silent when the bar is hidden (not a terminal); `suspend` is not.
        Some(bar) => bar.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    };
    let mut failed = 0usize;
    for path in paths {
        if let Some(bar) = &bar {
            bar.set_message(path.display().to_string());
        }
        match import_one(store, path, format, replace).await {
            Ok(message) => say(format!("{}：{message}", path.display())),
            Err(err) => {
                failed += 1;
                say(format!("导入失败：{}：{err:#}", path.display()));
            }
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if failed > 0 {
        eprintln!(
            "{} 个文件中 {failed} 个导入失败；失败的文件未写入任何内容。",
            paths.len()
        );
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

async fn import_one(
    store: &Store,
    path: &Path,
    format: Option<InputFormat>,
    replace: bool,
) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("无法读取文件（{}）", path.display()))?;
    let format = format.map(|f| match f {
        InputFormat::Json => Format::Json,
        InputFormat::Tsv => Format::Tsv,
        InputFormat::Md => Format::Markdown,
        InputFormat::Html => Format::Html,
        InputFormat::Pipe => Format::PipeCells,
        InputFormat::Flat => Format::Flattened,
        InputFormat::Docx => Format::Docx,
        InputFormat::Xlsx => Format::Xlsx,
        InputFormat::Csv => Format::Csv,
    });
    let Imported { notice, notes } = import_with_report(&bytes, format, &store.directory().await?)?;
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let outcome = store.save_notice(&notice, &source, replace).await?;
    let mut message = describe_outcome(&notice, &outcome);
    for note in notes {
        message.push_str(&format!("\n  注意：{note}"));
    }
    Ok(message)
}
