//! The round's own 通报: what the office configured for its notices, the round as
//! `domain::round_notice` needs it (one read), the office's wording while it prepares
//! the notice, and issuing it as a document with the next 文号 of the series (one
//! write). What the notice says is decided in domain; this module records.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::analysis::Status;
use duban_domain::round_notice::{
    BodyParagraph, DocSeries, NoticeSettings, RoundFacts, RoundReport,
};
use duban_domain::{DocNumber, Notice, RichText, SignatureLayout};
use serde::Serialize;

use crate::codec::{
    IMPORTED, disclosure_from_label, from_json, parse_date, parse_timestamp_opt, state_from_code,
    timestamp_text, to_json, u32_from,
};
use crate::db::{Lock, Tx, execute, with_conn};
use crate::{DocumentId, RoundId, SaveOutcome, Store, StoreError, UserId, finish, load, save};

/// The office's notice settings with its 文号 series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeSetup {
    pub settings: NoticeSettings,
    pub series: DocSeries,
}

/// Everything a round's notice is made from, read in one transaction.
#[derive(Debug, Clone)]
pub struct RoundNoticeSource {
    pub round: RoundId,
    pub document: DocumentId,
    pub facts: RoundFacts,
    pub closed: bool,
    /// The notice whose tasks the round covers.
    pub source: Notice,
    pub reports: Vec<RoundReport>,
    /// The office's 审定 per task number, made since the round opened.
    pub decisions: HashMap<u32, Status>,
    /// The office's wording so far (`None`: the default).
    pub wording: Option<Vec<BodyParagraph>>,
    pub disclosure: Option<duban_domain::Disclosure>,
    pub issued: Option<IssuedNotice>,
    pub setup: Option<NoticeSetup>,
}

/// A round's notice once issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedNotice {
    pub document: DocumentId,
    pub doc_number: String,
    pub issued_at: DateTime<Utc>,
}

async fn setup(tx: &mut Tx) -> Result<Option<NoticeSetup>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        issuer: String,
        office: String,
        signatory: Option<String>,
        recipients_json: String,
        disclosure: String,
        agency: String,
        year: i64,
        next_serial: i64,
        signature_layout: String,
    }
    let row: Option<Row> = with_conn!(tx, c => sqlx::query_as(
        "SELECT issuer, office, signatory, recipients_json, disclosure, agency, year, \
                next_serial, signature_layout \
         FROM notice_settings WHERE id = 1",
    )
    .fetch_optional(c)
    .await)?;
    row.map(|r| {
        Ok(NoticeSetup {
            settings: NoticeSettings {
                issuer: r.issuer,
                office: r.office,
                signatory: r.signatory,
                recipients: from_json("主送机关", &r.recipients_json)?,
                disclosure: disclosure_from_label(&r.disclosure)?,
                signature_layout: SignatureLayout::from_code(&r.signature_layout).ok_or_else(
                    || StoreError::Corrupt(format!("署名版式“{}”无法识别", r.signature_layout)),
                )?,
            },
            series: DocSeries {
                agency: r.agency,
                year: i32::try_from(r.year)
                    .map_err(|_| StoreError::Corrupt(format!("文号年份 {} 超出范围", r.year)))?,
                next_serial: u32_from("下一个文号序号", r.next_serial)?,
            },
        })
    })
    .transpose()
}

async fn write_series(tx: &mut Tx, series: &DocSeries) -> Result<(), StoreError> {
    execute!(
        tx,
        sqlx::query(
            "UPDATE notice_settings SET agency = $1, year = $2, next_serial = $3 WHERE id = 1",
        )
        .bind(&series.agency)
        .bind(i64::from(series.year))
        .bind(i64::from(series.next_serial))
    )?;
    Ok(())
}

async fn source(tx: &mut Tx, round: RoundId) -> Result<RoundNoticeSource, StoreError> {
    #[derive(sqlx::FromRow)]
    struct RoundRow {
        document_id: i64,
        kind: String,
        label: String,
        due: Option<String>,
        date: Option<String>,
        opened_at: Option<String>,
        closed_at: Option<String>,
    }
    let row: RoundRow = with_conn!(tx, c => sqlx::query_as(
        "SELECT document_id, kind, label, due, date, opened_at, closed_at \
         FROM rounds WHERE id = $1",
    )
    .bind(round.0)
    .fetch_optional(c)
    .await)?
    .ok_or(StoreError::RoundNotFound(round))?;
    let document = DocumentId(row.document_id);
    let source = load::notice(tx, document)
        .await?
        .ok_or(StoreError::NotFound(document))?;
    let date = parse_date("轮次日期", row.date.as_deref())?;
    let due = parse_date("截止日期", row.due.as_deref())?
        .or(date)
        .or(source.document.date)
        .ok_or_else(|| StoreError::Corrupt(format!("填报轮次 {round} 没有截止日期")))?;
    let imported = row.kind == IMPORTED;
    let facts = RoundFacts {
        label: row.label,
        due,
        as_of: date.or(Some(due)),
        imported,
    };

    #[derive(sqlx::FromRow)]
    struct ReportRow {
        number: i64,
        unit: String,
        position: i64,
        state: String,
        text_json: String,
        submitted_at: Option<String>,
        continues_paragraph: i64,
    }
    let rows: Vec<ReportRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT t.number, u.name AS unit, r.position, r.state, r.text_json, r.submitted_at, \
                r.continues_paragraph \
         FROM reports r JOIN tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id \
         WHERE r.round_id = $1 ORDER BY t.number, r.position",
    )
    .bind(round.0)
    .fetch_all(c)
    .await)?;
    let reports = rows
        .into_iter()
        .map(|r| {
            Ok(RoundReport {
                task: u32_from("任务序号", r.number)?,
                unit: r.unit,
                position: u32_from("位置", r.position)?,
                state: state_from_code(&r.state)?,
                text: from_json::<RichText>("落实情况", &r.text_json)?,
                submitted_at: parse_timestamp_opt("报送时间", r.submitted_at.as_deref())?,
                continues_paragraph: r.continues_paragraph != 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    // The latest decision per task made in this round (an imported round: any).
    let decisions: Vec<(i64, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT t.number, o.status FROM status_overrides o JOIN tasks t ON t.id = o.task_id \
         WHERE t.document_id = $1 AND o.at >= $2 \
           AND o.id = (SELECT MAX(o2.id) FROM status_overrides o2 \
                       WHERE o2.task_id = o.task_id AND o2.at >= $2)",
    )
    .bind(document.0)
    .bind(row.opened_at.clone().unwrap_or_default())
    .fetch_all(c)
    .await)?;
    let decisions = decisions
        .into_iter()
        .map(|(number, status)| {
            let status = Status::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("未知的任务状态“{status}”")))?;
            Ok((u32_from("任务序号", number)?, status))
        })
        .collect::<Result<HashMap<_, _>, StoreError>>()?;

    #[derive(sqlx::FromRow)]
    struct NoticeRow {
        body_json: Option<String>,
        disclosure: Option<String>,
        document_id: Option<i64>,
        doc_number: Option<String>,
        issued_at: Option<String>,
    }
    let notice: Option<NoticeRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT n.body_json, n.disclosure, n.document_id, d.doc_number, n.issued_at \
         FROM round_notices n LEFT JOIN documents d ON d.id = n.document_id \
         WHERE n.round_id = $1",
    )
    .bind(round.0)
    .fetch_optional(c)
    .await)?;
    let (wording, disclosure, issued) = match notice {
        None => (None, None, None),
        Some(n) => {
            let issued = match (n.document_id, n.doc_number, n.issued_at) {
                (Some(document), Some(doc_number), Some(at)) => Some(IssuedNotice {
                    document: DocumentId(document),
                    doc_number,
                    issued_at: crate::codec::parse_timestamp("印发时间", &at)?,
                }),
                _ => None,
            };
            (
                n.body_json
                    .as_deref()
                    .map(|j| from_json::<Vec<BodyParagraph>>("通报正文", j))
                    .transpose()?,
                n.disclosure
                    .as_deref()
                    .map(disclosure_from_label)
                    .transpose()?,
                issued,
            )
        }
    };
    Ok(RoundNoticeSource {
        round,
        document,
        facts,
        closed: row.closed_at.is_some(),
        source,
        reports,
        decisions,
        wording,
        disclosure,
        issued,
        setup: setup(tx).await?,
    })
}

/// Refuses to change a round's notice once it is issued.
async fn require_not_issued(tx: &mut Tx, round: RoundId) -> Result<(), StoreError> {
    let issued: Option<Option<i64>> = with_conn!(tx, c => sqlx::query_scalar(
        "SELECT document_id FROM round_notices WHERE round_id = $1",
    )
    .bind(round.0)
    .fetch_optional(c)
    .await)?;
    match issued {
        Some(Some(document)) => Err(StoreError::NoticeIssued {
            round,
            document: DocumentId(document),
        }),
        _ => Ok(()),
    }
}

/// What issuing writes: the notice as issued (its 文号 is given here), and the body of
/// its public variant when that differs.
#[derive(Debug, Clone)]
pub struct IssueRoundNotice {
    pub notice: Notice,
    pub public_body: Option<Vec<String>>,
    pub date: NaiveDate,
}

impl Store {
    /// How the office issues notices; `None` until set.
    pub async fn notice_setup(&self) -> Result<Option<NoticeSetup>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = setup(&mut tx).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Sets how the office issues notices (every field at once).
    pub async fn set_notice_setup(
        &self,
        setup: &NoticeSetup,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let s = &setup.settings;
        let result =
            async {
                execute!(&mut tx, sqlx::query(
                "INSERT INTO notice_settings (id, issuer, office, signatory, recipients_json, \
                     disclosure, agency, year, next_serial, updated_by, updated_at, \
                     signature_layout) \
                 VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (id) DO UPDATE SET issuer = $1, office = $2, signatory = $3, \
                     recipients_json = $4, disclosure = $5, agency = $6, year = $7, \
                     next_serial = $8, updated_by = $9, updated_at = $10, \
                     signature_layout = $11",
            )
            .bind(&s.issuer)
            .bind(&s.office)
            .bind(&s.signatory)
            .bind(to_json("主送机关", &s.recipients)?)
            .bind(s.disclosure.label())
            .bind(&setup.series.agency)
            .bind(i64::from(setup.series.year))
            .bind(i64::from(setup.series.next_serial))
            .bind(by.0)
            .bind(timestamp_text(now))
            .bind(s.signature_layout.code()))?;
                Ok(())
            }
            .await;
        finish(tx, result).await
    }

    /// The round, its reports and decisions, the office's wording and settings: what
    /// `domain::round_notice::compose` needs. Unknown round → `RoundNotFound`.
    pub async fn round_notice_source(
        &self,
        round: RoundId,
    ) -> Result<RoundNoticeSource, StoreError> {
        let mut tx = self.db.read().await?;
        let found = source(&mut tx, round).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Keeps the office's wording and 公开属性 for a round's notice (`None` wording: back
    /// to the default). Refused once issued.
    pub async fn save_round_notice_wording(
        &self,
        round: RoundId,
        body: Option<&[BodyParagraph]>,
        disclosure: Option<duban_domain::Disclosure>,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            crate::rounds::require_round(&mut tx, round).await?;
            require_not_issued(&mut tx, round).await?;
            let body = body.map(|b| to_json("通报正文", b)).transpose()?;
            execute!(&mut tx, sqlx::query(
                "INSERT INTO round_notices (round_id, body_json, disclosure, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (round_id) DO UPDATE SET body_json = $2, disclosure = $3, \
                     updated_by = $4, updated_at = $5",
            )
            .bind(round.0)
            .bind(body)
            .bind(disclosure.map(|d| d.label()))
            .bind(by.0)
            .bind(timestamp_text(now)))?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// Issues a round's notice in one transaction: takes the next free 文号 of the
    /// office's series (a number already used by a stored document is skipped), stores
    /// the notice as an issued document that records the round, ties it to the round
    /// and closes the round. Refused when already issued or when the series is not set
    /// up.
    pub async fn issue_round_notice(
        &self,
        round: RoundId,
        issue: IssueRoundNotice,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(DocumentId, DocNumber), StoreError> {
        let mut tx = self.db.write().await?;
        let result = issue_notice(&mut tx, round, issue, by, now).await;
        finish(tx, result).await
    }
}

async fn issue_notice(
    tx: &mut Tx,
    round: RoundId,
    issue: IssueRoundNotice,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(DocumentId, DocNumber), StoreError> {
    // The series' next number, the 文号 found free and the round's notice not yet
    // issued all stay so until this notice is written.
    tx.lock(Lock::DocNumbers).await?;
    crate::rounds::require_round(tx, round).await?;
    require_not_issued(tx, round).await?;
    let setup = setup(tx).await?.ok_or(StoreError::NoticeSetupMissing)?;
    let mut series = setup.series;
    let number = loop {
        let (number, next) = series.issue(issue.date);
        series = next;
        let taken = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "SELECT id FROM documents WHERE doc_number = $1",
        )
        .bind(number.to_string())
        .fetch_optional(c)
        .await)?;
        if taken.is_none() {
            break number;
        }
    };
    write_series(tx, &series).await?;
    let mut notice = issue.notice;
    notice.document.doc_number = Some(number.clone());
    notice.document.date = Some(issue.date);
    let id = match save::save_notice(tx, &notice, "督查室印发", false).await? {
        SaveOutcome::Created(id) => id,
        // The number was checked free in this transaction.
        SaveOutcome::Unchanged(id) | SaveOutcome::Replaced(id) => {
            return Err(StoreError::Conflict {
                doc_number: number.to_string(),
                existing: id,
            });
        }
    };
    let public_body = issue
        .public_body
        .as_ref()
        .map(|b| to_json("公开版正文", b))
        .transpose()?;
    execute!(
        tx,
        sqlx::query(
            "UPDATE documents SET status = 'issued', reports_round_id = $2, public_body_json = $3, \
             issued_by = $4, issued_at = $5 WHERE id = $1",
        )
        .bind(id.0)
        .bind(round.0)
        .bind(public_body)
        .bind(by.0)
        .bind(timestamp_text(now))
    )?;
    // The notice reports the round as it stands: the round closes with it, so no
    // report changes under a notice already issued.
    execute!(
        tx,
        sqlx::query("UPDATE rounds SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",)
            .bind(round.0)
            .bind(timestamp_text(now))
    )?;
    execute!(
        tx,
        sqlx::query(
            "INSERT INTO round_notices (round_id, document_id, issued_by, issued_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (round_id) DO UPDATE SET document_id = $2, issued_by = $3, issued_at = $4",
        )
        .bind(round.0)
        .bind(id.0)
        .bind(by.0)
        .bind(timestamp_text(now))
    )?;
    Ok((id, number))
}
