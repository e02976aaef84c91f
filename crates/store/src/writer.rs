//! Group commit: one writer task makes the store's grouped writes durable together.
//!
//! On SQLite, a durable commit (`synchronous=FULL`) waits for the disk to flush, a few
//! milliseconds whatever the transaction holds, and only one writer runs at a time,
//! so one commit per request caps writes at a couple of hundred a second. Instead,
//! callers hand their write step to [`Writer::run`]; the writer task takes whatever
//! steps are queued (up to [`MAX_BATCH`]), runs each inside its own `SAVEPOINT`
//! within one `BEGIN IMMEDIATE … COMMIT`, and commits once.
//!
//! - A step that fails (a refused workflow step, a stale state, a missing row) is rolled
//!   back to its savepoint alone; its caller gets its own error and the other steps
//!   of the batch are kept.
//! - Every caller is answered only after the batch's `COMMIT` returned: an answer of
//!   success means the data is on disk.
//! - If the batch as a whole fails (it cannot begin, a savepoint cannot be released or
//!   rolled back to, `COMMIT` fails, a step panics), nothing of it is kept and every
//!   caller whose step had succeeded gets an error instead; none is told "done".
//! - [`Writer::close`] stops taking steps, lets the task finish every step already
//!   queued (answering each), and waits for it.
//!
//! On PostgreSQL the steps are not queued: each runs in a transaction of its own, on a
//! task of its own, at once. PostgreSQL runs writers side by side and flushes the
//! commits that arrive together in one write of its log (its own group commit), so a
//! single writer task would only make them wait in line: 1,448 report steps/s through
//! the writer task against 3,195/s each on its own (`examples/report_steps.rs`, 16
//! writers; docs/benchmarks.md). The answers mean the same: after the commit, the
//! step's own error, or an error if the commit failed.
//!
//! Steps are closures over the transaction, so any write can go through the writer;
//! a step must leave the transaction usable (return its errors rather than swallow
//! them), as the writer decides from its savepoint whether the batch is still whole.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::StoreError;
use crate::db::{Db, Tx};

/// Most steps committed together. Past a few dozen the commit is no longer the cost.
pub(crate) const MAX_BATCH: usize = 64;

/// Steps waiting for the writer; a caller waits for room when this many are queued.
const QUEUE: usize = 1024;

/// A boxed future borrowing for `'a`, as a write step returns.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The handle on the writer task; clones share it.
#[derive(Clone)]
pub(crate) struct Writer {
    inner: Arc<Inner>,
    /// Where steps run when they are not queued (PostgreSQL): each in its own
    /// transaction.
    direct: Option<Db>,
}

struct Inner {
    /// `None` once closed.
    sender: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    task: Mutex<Option<JoinHandle<()>>>,
    /// Batches the task has finished (committed or not).
    batches: Arc<AtomicU64>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = lock(&self.inner.sender).is_some();
        f.debug_struct("Writer")
            .field("open", &open)
            .field("batches", &self.batches())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded values stay consistent whatever panicked while holding them.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Writer {
    /// Starts the writer: on SQLite its task on the current tokio runtime, which
    /// commits queued steps together; on PostgreSQL none (see the module's note).
    pub(crate) fn start(db: Db) -> Writer {
        if let Db::Postgres(..) = db {
            return Writer {
                inner: Arc::new(Inner {
                    sender: Mutex::new(None),
                    task: Mutex::new(None),
                    batches: Arc::new(AtomicU64::new(0)),
                }),
                direct: Some(db),
            };
        }
        let (sender, receiver) = mpsc::channel(QUEUE);
        let batches = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(write_batches(db, receiver, Arc::clone(&batches)));
        Writer {
            inner: Arc::new(Inner {
                sender: Mutex::new(Some(sender)),
                task: Mutex::new(Some(task)),
                batches,
            }),
            direct: None,
        }
    }

    /// Runs `step` in the next batch and answers once the batch is committed: the
    /// step's value if it succeeded and the batch was committed; the step's own error
    /// if it failed (nothing it wrote is kept); a [`StoreError::Database`] if the batch
    /// could not be committed.
    pub(crate) async fn run<T, F>(&self, step: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, StoreError>> + Send + 'static,
    {
        // Who acts is the caller's, whichever task the step then runs on.
        let actor = crate::audit::Actor::current();
        if let Some(db) = &self.direct {
            return run_alone(db.clone(), actor, step).await;
        }
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            step: Some(step),
            result: None,
            reply,
            actor,
        });
        // A clone, so the lock is not held while waiting for room in the queue.
        let sender = lock(&self.inner.sender).clone().ok_or_else(closed)?;
        sender.send(job).await.map_err(|_| closed())?;
        drop(sender);
        // Dropped unanswered only if the writer task died (a step panicked): not done.
        answer
            .await
            .unwrap_or_else(|_| Err(failed("写入任务意外中止，未保存任何内容")))
    }

    /// How many batches the writer has finished so far.
    pub(crate) fn batches(&self) -> u64 {
        self.inner.batches.load(Ordering::Relaxed)
    }

    /// Takes no more steps, waits until every step already queued is committed (or
    /// refused) and answered, and the writer task has ended.
    pub(crate) async fn close(&self) {
        drop(lock(&self.inner.sender).take());
        let task = lock(&self.inner.task).take();
        if let Some(task) = task {
            // A panic inside was already answered as an error to its callers.
            let _ = task.await;
        }
    }
}

/// Runs `step` in a transaction of its own and commits it, on a task of its own: a
/// caller that goes away (a cancelled request) does not cut the step short, and a
/// panic in it is an error for the caller, as in a batch.
async fn run_alone<T, F>(db: Db, actor: crate::audit::Actor, step: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, StoreError>> + Send + 'static,
{
    let task = tokio::spawn(async move {
        let mut tx = db.write_as(actor).await?;
        let result = step(&mut tx).await;
        crate::finish(tx, result).await
    });
    task.await
        .unwrap_or_else(|_| Err(failed("写入任务意外中止，未保存任何内容")))
}

/// The error for a step sent after the store was closed.
fn closed() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

/// The error every caller gets whose step succeeded in a batch that was not committed.
fn failed(reason: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::other(format!(
        "本批写入未能提交：{reason}"
    ))))
}

/// A queued step, type-erased so steps of any result type share the queue.
trait Job: Send {
    /// Runs the step in the batch's transaction; whether it succeeded (and so whether
    /// what it wrote is kept).
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool>;

    /// Who asked for the step: its changes are logged in their name.
    fn actor(&self) -> &crate::audit::Actor;

    /// Answers the caller once the batch's fate is known: `Ok` committed, `Err` with
    /// the reason it was not.
    fn answer(self: Box<Self>, batch: Result<(), &str>);
}

struct Pending<T, F> {
    step: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
    actor: crate::audit::Actor,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, StoreError>> + Send + 'static,
{
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let Some(step) = self.step.take() else {
                return false;
            };
            let result = step(tx).await;
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
    }

    fn actor(&self) -> &crate::audit::Actor {
        &self.actor
    }

    fn answer(self: Box<Self>, batch: Result<(), &str>) {
        let answer = match (self.result, batch) {
            // Refused: rolled back to its savepoint, so nothing of it is kept whatever
            // became of the batch.
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (Some(Ok(_)), Err(reason)) | (None, Err(reason)) => Err(failed(reason)),
            (None, Ok(())) => Err(failed("该步骤未执行，未保存任何内容")),
        };
        // The caller may have gone away (request cancelled); the write stands.
        let _ = self.reply.send(answer);
    }
}

/// The writer task: a batch at a time until every sender is gone and the queue empty.
async fn write_batches(
    db: Db,
    mut receiver: mpsc::Receiver<Box<dyn Job>>,
    batches: Arc<AtomicU64>,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
        // On its own task, so a panicking step costs its batch (whose callers are
        // answered with an error when their reply channels drop), not the writer.
        let _ = tokio::spawn(commit_batch(db.clone(), batch)).await;
        batches.fetch_add(1, Ordering::Relaxed);
    }
}

async fn commit_batch(db: Db, mut jobs: Vec<Box<dyn Job>>) {
    let outcome = run_batch(&db, &mut jobs).await;
    let reason = outcome.err().map(|e| crate::error::explain(&e));
    for job in jobs {
        job.answer(match &reason {
            None => Ok(()),
            Some(reason) => Err(reason),
        });
    }
}

/// Runs every step in one transaction, each in its own savepoint, and commits.
/// An error is the batch's: nothing of it was kept.
async fn run_batch(db: &Db, jobs: &mut [Box<dyn Job>]) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    let result = async {
        for job in jobs.iter_mut() {
            tx.savepoint().await?;
            let ok = job.run(&mut tx).await;
            // Either fails if the step's error rolled back the whole transaction (a
            // full disk, an I/O error): then the savepoint is gone, and so is the batch.
            if ok {
                // The step's changes enter the audit log in its caller's name, inside
                // its savepoint: kept exactly when the step is.
                crate::audit::seal(&mut tx, job.actor()).await?;
                tx.release_savepoint().await?;
            } else {
                tx.rollback_to_savepoint().await?;
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => tx.commit().await,
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::str::FromStr;

    use sqlx::SqlitePool;
    use sqlx::sqlite::SqliteConnectOptions;

    use super::*;
    use crate::db::{execute, sqlite_options};

    /// A writer on a fresh file with a parent and a child table (foreign key).
    async fn setup() -> (tempfile::TempDir, SqlitePool, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let options = sqlite_options(SqliteConnectOptions::from_str(&url).unwrap(), false);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE audit_pending (id INTEGER PRIMARY KEY, table_name TEXT, op TEXT, \
                                         row_key TEXT, before_json TEXT, after_json TEXT, \
                                         txid BIGINT, at TEXT, actor_id BIGINT, actor TEXT, \
                                         address TEXT, request TEXT, task_id BIGINT); \
             CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE child (id INTEGER PRIMARY KEY, \
                                 parent INTEGER NOT NULL REFERENCES parent (id));",
        )
        .execute(&pool)
        .await
        .unwrap();
        let writer = Writer::start(Db::Sqlite(pool.clone()));
        (dir, pool, writer)
    }

    async fn insert(tx: &mut Tx, table: &str, id: i64, parent: i64) -> Result<(), StoreError> {
        let sql = if table == "parent" {
            "INSERT INTO parent (id) VALUES ($1)"
        } else {
            "INSERT INTO child (id, parent) VALUES ($1, $2)"
        };
        execute!(tx, sqlx::query(sql).bind(id).bind(parent))?;
        Ok(())
    }

    /// Inserts parent `id`; then fails with `Stale` if `refuse`.
    fn parent(writer: &Writer, id: i64, refuse: bool) -> JoinHandle<Result<i64, StoreError>> {
        let writer = writer.clone();
        tokio::spawn(async move {
            writer
                .run(
                    move |tx: &mut Tx| -> BoxFuture<'_, Result<i64, StoreError>> {
                        Box::pin(async move {
                            insert(tx, "parent", id, 0).await?;
                            if refuse {
                                return Err(StoreError::Stale);
                            }
                            Ok(id)
                        })
                    },
                )
                .await
        })
    }

    async fn parents(pool: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT id FROM parent ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn steps_queued_together_are_committed_together() {
        let (_dir, pool, writer) = setup().await;
        // On this single-threaded runtime the writer runs only once all are queued.
        let handles: Vec<_> = (1..=40).map(|id| parent(&writer, id, false)).collect();
        for (id, handle) in (1..=40).zip(handles) {
            assert_eq!(
                handle.await.unwrap().unwrap(),
                id,
                "each caller gets its own answer"
            );
        }
        assert_eq!(parents(&pool).await, (1..=40).collect::<Vec<_>>());
        assert_eq!(writer.batches(), 1, "one commit for all forty");
        writer.close().await;
    }

    #[tokio::test]
    async fn a_refused_step_keeps_nothing_and_the_others_stand() {
        let (_dir, pool, writer) = setup().await;
        let handles = [
            parent(&writer, 1, false),
            parent(&writer, 2, true),
            parent(&writer, 3, false),
        ];
        let [a, b, c] = handles;
        assert_eq!(a.await.unwrap().unwrap(), 1);
        assert!(matches!(b.await.unwrap(), Err(StoreError::Stale)));
        assert_eq!(c.await.unwrap().unwrap(), 3);
        assert_eq!(parents(&pool).await, vec![1, 3]);
        assert_eq!(writer.batches(), 1);
        writer.close().await;
    }

    #[tokio::test]
    async fn a_batch_that_cannot_commit_tells_no_one_it_succeeded() {
        let (_dir, pool, writer) = setup().await;
        let first = parent(&writer, 1, false);
        // Valid until COMMIT, which then fails: a child whose parent does not exist,
        // with the foreign key checked only at the end of the transaction.
        let breaking = {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .run(|tx: &mut Tx| -> BoxFuture<'_, Result<(), StoreError>> {
                        Box::pin(async move {
                            execute!(tx, sqlx::query("PRAGMA defer_foreign_keys = ON"))?;
                            insert(tx, "child", 1, 999).await
                        })
                    })
                    .await
            })
        };
        let refused = parent(&writer, 2, true);
        let last = parent(&writer, 3, false);
        assert!(matches!(first.await.unwrap(), Err(StoreError::Database(_))));
        assert!(matches!(
            breaking.await.unwrap(),
            Err(StoreError::Database(_))
        ));
        assert!(
            matches!(refused.await.unwrap(), Err(StoreError::Stale)),
            "a refused step keeps its own error"
        );
        assert!(matches!(last.await.unwrap(), Err(StoreError::Database(_))));
        assert_eq!(writer.batches(), 1);
        assert!(
            parents(&pool).await.is_empty(),
            "nothing of the batch is kept"
        );

        // The writer goes on with the next batch.
        assert_eq!(parent(&writer, 4, false).await.unwrap().unwrap(), 4);
        assert_eq!(parents(&pool).await, vec![4]);
        writer.close().await;
    }

    #[tokio::test]
    async fn a_panicking_step_fails_its_batch_not_the_writer() {
        let (_dir, pool, writer) = setup().await;
        let ok = parent(&writer, 1, false);
        let panicking = {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .run(|_: &mut Tx| -> BoxFuture<'_, Result<(), StoreError>> {
                        Box::pin(async { panic!("a bug in a step") })
                    })
                    .await
            })
        };
        assert!(matches!(ok.await.unwrap(), Err(StoreError::Database(_))));
        assert!(matches!(
            panicking.await.unwrap(),
            Err(StoreError::Database(_))
        ));
        assert!(parents(&pool).await.is_empty());
        assert_eq!(parent(&writer, 2, false).await.unwrap().unwrap(), 2);
        writer.close().await;
    }

    #[tokio::test]
    async fn closing_drains_the_queue_then_refuses() {
        let (_dir, pool, writer) = setup().await;
        let handles: Vec<_> = (1..=10).map(|id| parent(&writer, id, false)).collect();
        // Let every caller queue its step before closing.
        tokio::task::yield_now().await;
        writer.close().await;
        for (id, handle) in (1..=10).zip(handles) {
            assert_eq!(handle.await.unwrap().unwrap(), id);
        }
        assert_eq!(parents(&pool).await.len(), 10);
        assert!(matches!(
            parent(&writer, 11, false).await.unwrap(),
            Err(StoreError::Database(sqlx::Error::PoolClosed))
        ));
    }
}
