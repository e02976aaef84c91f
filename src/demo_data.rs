//! `duban demo-data`: a large, realistic data set for trying duban at the scale of a city
//! or a province (thousands of units, a hundred thousand tasks, a million reports), the
//! same for the same options and seed (apart from when it was written: import and
//! account creation times). Counties with their departments, streets and companies;
//! notices of a hundred tasks each, led by one to three of a county's units; monthly
//! reporting rounds across a year, the past ones closed with most reports accepted, some
//! returned first and some late or never submitted, the last ones still open.
//!
//! Notices go through the store's ordinary writes, a hundred to a transaction
//! (`Store::save_notices_whole`); accounts through `Store::create_users`; rounds
//! through `Store::write_rounds_whole`, about 50,000 reports to a transaction, while
//! the next batch is generated on a thread of its own. Every step in a report's history is
//! one `duban_domain::next_state` allows.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use duban_domain::{
    DocNumber, Document, Notice, ReportAction, ReportState, RichText, Role, TaskDraft, Unit,
    UnitDirectory, UnitKind, Username, next_state,
};
use duban_store::{
    BulkEvent, BulkReport, BulkRound, DocumentId, NewUser, PreparedRound, Store, User,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The year the data set's rounds run through.
const YEAR: i32 = 2025;
/// Tasks per notice.
const TASKS_PER_NOTICE: usize = 100;
/// What the generated accounts hold instead of a password hash: it matches no password,
/// so nobody signs in with them until `duban user passwd` gives one.
const NO_PASSWORD: &str = "!demo-data: no password set";

#[derive(clap::Args, Debug, Clone)]
pub struct DemoDataOptions {
    /// 单位数（区县的部门、街道、企业等）
    #[arg(long, default_value_t = 500)]
    pub units: usize,
    /// 任务数（每份通报 100 项）
    #[arg(long, default_value_t = 10_000)]
    pub tasks: usize,
    /// 填报数（按月的填报轮次，最后几轮仍在填报中）
    #[arg(long, default_value_t = 100_000)]
    pub reports: usize,
    /// 随机数种子：同样的参数和种子生成同样的数据
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Two-character place names for counties: the real ones of 泉州 and 厦门 first, then
/// made-up ones.
const PLACES: &[&str] = &[
    "鲤城", "丰泽", "洛江", "泉港", "晋江", "石狮", "南安", "惠安", "安溪", "永春", "德化", "思明",
    "湖里", "集美", "海沧", "同安", "翔安", "鼓楼", "台江", "仓山", "马尾", "晋安", "长乐", "闽侯",
];
const PLACE_FIRST: &[char] = &[
    '东', '西', '南', '北', '清', '安', '永', '嘉', '新', '丰', '龙', '泰', '宁', '华', '瑞', '兴',
];
const PLACE_SECOND: &[char] = &[
    '山', '川', '阳', '城', '平', '和', '昌', '江', '源', '溪', '宁', '康', '丰', '岭', '浦', '林',
];
/// A county's departments, as its notices name them after the county.
const DEPARTMENTS: &[&str] = &[
    "发改局",
    "财政局",
    "工信局",
    "商务局",
    "住建局",
    "自然资源局",
    "城管局",
    "教育局",
    "卫健局",
    "民政局",
    "人社局",
    "文旅局",
    "应急局",
    "市场监管局",
    "农业农村局",
    "水利局",
    "统计局",
    "审计局",
    "司法局",
    "退役军人事务局",
    "医保局",
    "科技局",
    "数据管理局",
    "信访局",
    "林业局",
    "招商办",
    "委文明办",
    "委宣传部",
    "委组织部",
    "委政法委",
    "总工会",
    "妇联",
    "残联",
    "工商联",
    "公安分局",
    "税务局",
    "消防救援大队",
    "城投集团",
    "文旅集团",
    "高新区管委会",
    "重点项目指挥部",
];
const STREETS: &[&str] = &[
    "海滨", "临江", "开元", "浮桥", "江南", "金龙", "常泰", "凤凰", "东湖", "西街", "北峰", "南门",
];

const VERBS: &[&str] = &[
    "加快推进",
    "统筹做好",
    "全力抓好",
    "持续深化",
    "研究制定",
    "扎实推进",
    "抓紧完成",
    "认真落实",
    "积极争取",
    "着力提升",
    "建立健全",
    "全面开展",
];
const OBJECTS: &[&str] = &[
    "重点项目前期工作",
    "老旧小区改造",
    "营商环境优化提升",
    "城市内涝点整治",
    "招商引资活动",
    "安全生产专项整治",
    "防汛防台风各项准备",
    "教育资源扩容提质",
    "古城保护与活化利用",
    "产业园区标准化建设",
    "农村人居环境整治",
    "企业服务平台建设",
    "财政收支平衡",
    "创城创卫常态化管理",
    "社会矛盾纠纷排查化解",
    "数字政府建设",
    "医疗卫生服务体系建设",
    "就业和社会保障工作",
    "历史遗留问题协调解决",
    "河湖长制落实",
];
const AIMS: &[&str] = &[
    "确保按期完成年度目标",
    "形成可复制推广的经验",
    "争取在全市排名中争先进位",
    "切实解决群众急难愁盼问题",
    "做到底数清、情况明",
    "推动各项指标全面达标",
];
const RETURN_REASONS: &[&str] = &[
    "请补充具体完成数据",
    "进展表述笼统，请写明完成量和下一步计划",
    "请对照年度目标说明完成比例",
];

struct County {
    name: String,
    /// The units of the county, with how many tasks each tends to lead (a 发改局 more
    /// than a 妇联).
    units: Vec<(String, u32)>,
}

/// `count` units in counties of up to 53 (41 departments and 12 streets each).
fn counties(count: usize) -> Vec<County> {
    let places = PLACES.iter().map(|p| p.to_string()).chain(
        PLACE_FIRST
            .iter()
            .flat_map(|a| PLACE_SECOND.iter().map(move |b| format!("{a}{b}")))
            .filter(|p| !PLACES.contains(&p.as_str())),
    );
    let mut out = Vec::new();
    let mut left = count;
    for (i, place) in places.enumerate() {
        if left == 0 {
            break;
        }
        let name = format!("{place}{}", if i % 3 == 2 { "县" } else { "区" });
        let departments = DEPARTMENTS.iter().map(|d| {
            // 委文明办 → 鲤城区委文明办; the rest after the county's name.
            let weight = if d.ends_with('局') { 3 } else { 1 };
            (format!("{name}{d}"), weight)
        });
        let streets = STREETS.iter().map(|s| (format!("{place}{s}街道"), 2));
        let units: Vec<(String, u32)> = departments.chain(streets).take(left).collect();
        left -= units.len();
        out.push(County { name, units });
    }
    out
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// `n` distinct units of the county, the busier ones more often.
fn leads(rng: &mut StdRng, county: &County, n: usize) -> Vec<String> {
    let total: u32 = county.units.iter().map(|(_, w)| w).sum();
    let mut chosen: Vec<String> = Vec::new();
    while chosen.len() < n.min(county.units.len()) {
        let mut at = rng.random_range(0..total);
        for (name, weight) in &county.units {
            if at < *weight {
                if !chosen.contains(name) {
                    chosen.push(name.clone());
                }
                break;
            }
            at -= weight;
        }
    }
    chosen
}

fn notice(rng: &mut StdRng, county: &County, serial: u32, tasks: usize) -> Result<Notice> {
    let agency = format!("{}政督", county.name.trim_end_matches(['区', '县']));
    let number = DocNumber::parse(&format!("{agency}〔{YEAR}〕{serial}号"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let drafts = (1..=tasks)
        .map(|n| {
            // Most tasks have one lead unit, some two or three.
            let count = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.random_range(0..14)];
            let leads = leads(rng, county, count);
            let cooperating = if rng.random_bool(0.3) {
                let other = self::leads(rng, county, 1);
                other.into_iter().filter(|u| !leads.contains(u)).collect()
            } else {
                Vec::new()
            };
            TaskDraft {
                number: n as u32,
                content: RichText::plain(&format!(
                    "{}{}，{}。",
                    pick(rng, VERBS),
                    pick(rng, OBJECTS),
                    pick(rng, AIMS)
                )),
                lead_units: leads.join("、"),
                cooperating_units: cooperating.join("、"),
                deadline: Some(format!("{YEAR}年{}月底", rng.random_range(6..=12))),
                ..TaskDraft::default()
            }
        })
        .collect();
    let directory = UnitDirectory {
        units: county
            .units
            .iter()
            .map(|(name, _)| Unit {
                name: name.clone(),
                kind: UnitKind::infer(name),
                aliases: Vec::new(),
            })
            .collect(),
    };
    let document = Document {
        issuer: Some(format!("{}人民政府办公室", county.name)),
        doc_number: Some(number),
        title: Some(format!(
            "{}人民政府办公室关于{YEAR}年第{serial}批重点工作任务分解落实的通知",
            county.name
        )),
        recipients: vec!["各街道办事处".into(), format!("{}直有关单位", county.name)],
        date: NaiveDate::from_ymd_opt(YEAR, 1, 10),
        ..Document::default()
    };
    let mut notice = Notice::assemble(document, drafts, &directory);
    // Every unit of the county joins the office's directory, whether or not it leads
    // a task here.
    notice.units = directory;
    Ok(notice)
}

/// China time 09:00 of `day` in UTC.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default())
}

/// How a report ends up, and the steps that take it there.
fn history(rng: &mut StdRng, open: bool) -> &'static [ReportAction] {
    use ReportAction::*;
    let roll: f64 = rng.random_range(0.0..1.0);
    if open {
        // The current round: everything from not started to accepted.
        match roll {
            r if r < 0.30 => &[],
            r if r < 0.50 => &[SaveDraft],
            r if r < 0.72 => &[SaveDraft, Submit],
            r if r < 0.84 => &[Submit, Approve],
            r if r < 0.95 => &[Submit, Approve, Accept],
            _ => &[Submit, Approve, Return],
        }
    } else {
        match roll {
            r if r < 0.03 => &[],
            r if r < 0.04 => &[SaveDraft],
            r if r < 0.90 => &[SaveDraft, Submit, Approve, Accept],
            r if r < 0.95 => &[Submit, SendBack, Submit, Approve, Accept],
            _ => &[Submit, Approve, Return, Submit, Approve, Accept],
        }
    }
}

/// A task's number and its lead units, in the order its reports follow.
type TaskLeads = (u32, Vec<String>);

/// The people who take the steps on a unit's reports.
struct People {
    office: User,
    /// (reporter, unit head) of each unit.
    units: HashMap<String, (User, User)>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "one report's place in the data set"
)]
fn report(
    rng: &mut StdRng,
    people: &People,
    task: u32,
    unit: &str,
    month: u32,
    due: NaiveDate,
    opened: DateTime<Utc>,
    open: bool,
) -> Result<BulkReport> {
    let (reporter, head) = people
        .units
        .get(unit)
        .with_context(|| format!("no accounts for {unit}"))?;
    let steps = history(rng, open);
    let late = rng.random_bool(0.08);
    // Most act in the days before the due date; a late one after it.
    let mut at = opened + Duration::hours(rng.random_range(24..240));
    if late {
        at = morning(due) + Duration::days(rng.random_range(1..6));
    }
    let planned = (month * 100 / 12).min(100);
    let percent = planned.saturating_sub(rng.random_range(0..25)) as u8;
    let text = RichText::plain(&match rng.random_range(0..4) {
        0 => format!("截至{month}月底，已完成年度计划的{percent}%，正按计划推进。"),
        1 => format!(
            "已召开专题协调会{}次，协调解决问题{}个，完成年度任务的{percent}%。",
            rng.random_range(1..6),
            rng.random_range(1..12)
        ),
        2 => format!(
            "已完成前期调研和方案制定，{month}月底累计完成投资{}万元。",
            rng.random_range(100..9000)
        ),
        _ => format!("{month}月份按计划推进，完成率{percent}%，下一步将加大协调力度。"),
    });
    let mut state = ReportState::NotStarted;
    let mut events = Vec::with_capacity(steps.len());
    let mut submitted_at = None;
    for action in steps {
        let (actor, role) = match action {
            ReportAction::SaveDraft | ReportAction::Submit => (reporter, Role::Reporter),
            ReportAction::Approve | ReportAction::SendBack => (head, Role::UnitHead),
            ReportAction::Accept | ReportAction::Return => (&people.office, Role::Supervisor),
        };
        let comment = action
            .needs_comment()
            .then(|| pick(rng, RETURN_REASONS).to_string());
        let next = next_state(state, *action, role, true, comment.as_deref())
            .map_err(|e| anyhow::anyhow!("generated an impossible step: {e}"))?;
        if *action == ReportAction::Submit {
            submitted_at = Some(at);
        }
        events.push(BulkEvent {
            at,
            actor: actor.id,
            actor_role: role,
            action: *action,
            from: state,
            to: next,
            comment,
        });
        state = next;
        at += Duration::hours(rng.random_range(2..48));
    }
    let written = !events.is_empty();
    Ok(BulkReport {
        task,
        unit: unit.to_string(),
        state,
        text: if written { text } else { RichText::default() },
        percent: written.then_some(percent),
        updated_at: events.last().map(|e| e.at),
        submitted_at,
        events,
    })
}

/// Notices per batch the store writes in one transaction.
const NOTICES_PER_BATCH: usize = 100;
/// Reports per batch the store writes in one transaction.
const BATCH_REPORTS: usize = 50_000;

/// Generates the reporting rounds, monthly, document by document, until the reports
/// are all written (the last month's rounds stay open), and hands them to `write` in
/// batches of about [`BATCH_REPORTS`] reports; stops early when `write` says so.
fn rounds(
    rng: &mut StdRng,
    people: &People,
    documents: &[(DocumentId, Vec<TaskLeads>)],
    wanted: usize,
    mut write: impl FnMut(Vec<PreparedRound>) -> bool,
) -> Result<()> {
    let pairs: usize = documents
        .iter()
        .map(|(_, tasks)| tasks.iter().map(|(_, units)| units.len()).sum::<usize>())
        .sum();
    let months = wanted.div_ceil(pairs.max(1)).clamp(1, 12) as u32;
    let mut left = wanted;
    let mut batch: Vec<PreparedRound> = Vec::new();
    let mut in_batch = 0;
    'months: for month in 1..=12u32 {
        let open = month >= months;
        let next_month = match month {
            12 => NaiveDate::from_ymd_opt(YEAR + 1, 1, 1),
            _ => NaiveDate::from_ymd_opt(YEAR, month + 1, 1),
        };
        let last_day = next_month.context("a month's end")? - Duration::days(1);
        let due = last_day + Duration::days(5);
        let opened = morning(last_day - Duration::days(5));
        for (document, tasks) in documents {
            if left == 0 {
                break 'months;
            }
            let mut reports = Vec::new();
            'tasks: for (task, units) in tasks {
                for unit in units {
                    if left == 0 {
                        break 'tasks;
                    }
                    reports.push(report(rng, people, *task, unit, month, due, opened, open)?);
                    left -= 1;
                }
            }
            in_batch += reports.len();
            let round = BulkRound {
                document: *document,
                label: format!("1-{month}月"),
                due,
                opened_by: people.office.id,
                opened_at: opened,
                closed_at: (!open).then(|| morning(due + Duration::days(5))),
                reports,
            };
            batch.push(round.prepare()?);
            if in_batch >= BATCH_REPORTS {
                in_batch = 0;
                if !write(std::mem::take(&mut batch)) {
                    return Ok(());
                }
            }
        }
    }
    if !batch.is_empty() {
        write(batch);
    }
    Ok(())
}

/// The office's account, and a reporter and a unit head for every unit.
async fn accounts(store: &Store) -> Result<People> {
    let new = |username: String, display: String, role, unit: Option<String>| -> Result<NewUser> {
        Ok(NewUser {
            username: Username::parse(&username).map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: display,
            role,
            unit,
            password_hash: NO_PASSWORD.into(),
            must_change_password: true,
        })
    };
    let mut all = vec![new(
        "duchashi".into(),
        "督查室".into(),
        Role::Supervisor,
        None,
    )?];
    for (n, unit) in store.directory().await?.units.into_iter().enumerate() {
        let (n, unit) = (n + 1, unit.name);
        let reporter = format!("{unit}联络员");
        let head = format!("{unit}负责人");
        all.push(new(
            format!("u{n:05}.lly"),
            reporter,
            Role::Reporter,
            Some(unit.clone()),
        )?);
        all.push(new(
            format!("u{n:05}.fzr"),
            head,
            Role::UnitHead,
            Some(unit),
        )?);
    }
    let users = store.create_users(all).await?;
    let mut users = users.into_iter();
    let office = users.next().context("the office's account")?;
    let mut units = HashMap::new();
    while let (Some(reporter), Some(head)) = (users.next(), users.next()) {
        let unit = reporter.unit.clone().unwrap_or_default();
        units.insert(unit, (reporter, head));
    }
    Ok(People { office, units })
}

pub async fn demo_data(store: &Store, options: &DemoDataOptions) -> Result<ExitCode> {
    if options.units == 0 || options.tasks == 0 {
        bail!("单位数和任务数都须大于 0");
    }
    if !store.list_documents().await?.is_empty() || !store.users().await?.is_empty() {
        bail!(
            "数据库中已有数据：演示数据只写入新建的空数据库，请换一个数据库地址（--database-url）"
        );
    }
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let counties = counties(options.units);

    // Notices, a hundred tasks each, spread over the counties in turn.
    let notices = options.tasks.div_ceil(TASKS_PER_NOTICE);
    let bar = indicatif::ProgressBar::new((notices + options.reports) as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} {msg} ({per_sec}, 还需 {eta})",
        )
        .context("progress style")?,
    );
    bar.set_message("通报");
    let mut documents: Vec<(DocumentId, Vec<TaskLeads>)> = Vec::with_capacity(notices);
    let mut batch = Vec::new();
    for i in 0..notices {
        let county = &counties[i % counties.len()];
        let tasks = TASKS_PER_NOTICE.min(options.tasks - i * TASKS_PER_NOTICE);
        batch.push(notice(
            &mut rng,
            county,
            (i / counties.len() + 1) as u32,
            tasks,
        )?);
        if batch.len() == NOTICES_PER_BATCH || i + 1 == notices {
            let ids = store.save_notices_whole(&batch, "duban demo-data").await?;
            for (id, notice) in ids.into_iter().zip(batch.drain(..)) {
                let leads = notice
                    .tasks
                    .iter()
                    .map(|t| {
                        let mut units: Vec<String> =
                            t.lead_units.iter().map(|a| a.unit.clone()).collect();
                        units.dedup();
                        (t.number.0, units)
                    })
                    .collect();
                documents.push((id, leads));
                bar.inc(1);
            }
        }
    }

    let people = accounts(store).await?;
    let units = people.units.len();
    let prepared = started.elapsed().as_secs_f64();

    // Monthly rounds, document by document, until the reports are all written; the
    // last month's rounds stay open. Generated on a thread of their own while the
    // store writes the batch before (the same sequence as one after the other).
    bar.set_message("填报");
    let (sender, mut batches) = tokio::sync::mpsc::channel(1);
    let wanted = options.reports;
    let generator = std::thread::spawn(move || {
        let sent = rounds(&mut rng, &people, &documents, wanted, |batch| {
            sender.blocking_send(Ok(batch)).is_ok()
        });
        if let Err(e) = sent {
            let _ = sender.blocking_send(Err(e));
        }
    });
    let (mut rounds_written, mut written) = (0, 0);
    while let Some(batch) = batches.recv().await {
        let batch = batch?;
        let reports: usize = batch.iter().map(PreparedRound::reports).sum();
        rounds_written += store.write_prepared_rounds(batch).await?.len();
        written += reports;
        bar.inc(reports as u64);
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("生成填报数据的线程意外退出"))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let reporting = seconds - prepared;
    println!(
        "已生成演示数据：{} 个区县 {units} 个单位，{notices} 份通报 {} 项任务，{rounds_written} 个填报轮次 {written} 条填报；\
         用时 {seconds:.1} 秒（通报和账户 {prepared:.1} 秒，填报 {reporting:.1} 秒、每秒 {:.0} 条；\
         全程每秒 {:.0} 条填报）。",
        counties.len(),
        options.tasks,
        written as f64 / reporting.max(1e-9),
        written as f64 / seconds
    );
    println!(
        "账户：督查室 duchashi，各单位联络员 u00001.lly …、负责人 u00001.fzr …，均未设密码，\
         登录前请用 duban user passwd 设置。"
    );
    Ok(ExitCode::SUCCESS)
}
