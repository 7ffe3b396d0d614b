//! Fleets: many case studies in one run, each collected, evaluated and sealed into its
//! own signed bundle, with bounded concurrency globally and per AWS account, a shard of
//! the fleet per process when an array engine runs it, `--resume` for interrupted runs,
//! and a summary of every case study. One failing case study never stops the others.

pub mod manifest;
pub mod shard;
pub mod summary;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;

use crate::bundle::{self, Predicate, Signer};
use crate::casestudy::{self, CaseStudy};
use crate::collect::Plan;
use crate::evaluate::Checklist;
use crate::pipeline;
use crate::session::SessionOptions;
pub use manifest::{Entry, Fleet};
pub use shard::Shard;
pub use summary::{Outcome, Record, RenewalRecord, Summary};

/// How each case study is collected, and where its bundle goes.
#[derive(Debug, Clone)]
pub struct Settings {
    pub session: SessionOptions,
    /// Per-resource calls in flight per region, within one case study.
    pub concurrency: usize,
    pub metric_days: i64,
    pub out_dir: PathBuf,
    /// Keep a bundle of an earlier run when it verifies with this run's keys.
    pub resume: bool,
    /// Last year's output directory: each case study renews `<id>.json` there.
    pub previous: Option<PathBuf>,
    /// Keys besides this run's that may have signed last year's bundles.
    pub previous_keys: Vec<crate::bundle::PublicKey>,
}

/// Called once per finished case study: the record, how many are done, how many in all.
pub type OnDone = summary::OnDoneFn;

/// What every case study of the run shares.
struct Shared {
    settings: Settings,
    signers: Vec<Signer>,
    checklist: Checklist,
}

/// Runs the fleet's case studies (those of `shard`, or all) and returns the summary.
pub async fn run(
    fleet: &Fleet,
    shard: Option<Shard>,
    settings: Settings,
    signers: Vec<Signer>,
    checklist: Checklist,
    on_done: OnDone,
) -> Summary {
    let started_at = crate::time::Timestamp::now();
    let shared = Arc::new(Shared {
        settings,
        signers,
        checklist,
    });
    let jobs = jobs(fleet, shard);
    let ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    let progress = Arc::new(Progress {
        done: AtomicUsize::new(0),
        total: jobs.len(),
        on_done,
    });
    let global = Arc::new(Semaphore::new(fleet.concurrency));
    // One thread per core, each polling case studies on its own runtime: the collection's
    // future is not `Send` for every lifetime, so it cannot be spawned onto a shared pool,
    // but each one lives on the thread that created it. The threads take the next case
    // study from one queue whenever they have a free slot, so a thread whose accounts are
    // slow does not leave the others idle with nothing left to take.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(fleet.concurrency)
        .min(jobs.len())
        .max(1);
    let slots = fleet.concurrency.div_ceil(workers).max(1);
    let queue = Arc::new(Mutex::new(VecDeque::from(jobs)));
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (shared, global, progress) = (shared.clone(), global.clone(), progress.clone());
            let queue = queue.clone();
            std::thread::spawn(move || worker(&queue, slots, &shared, &global, &progress))
        })
        .collect();
    let joined = tokio::task::spawn_blocking(move || {
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_default())
            .collect::<Vec<Record>>()
    })
    .await
    .unwrap_or_default();
    let mut records = joined;
    // A worker that died leaves its case studies without a record: never silently.
    let seen: std::collections::BTreeSet<String> = records.iter().map(|r| r.id.clone()).collect();
    for id in ids.into_iter().filter(|id| !seen.contains(id)) {
        records.push(failure(
            &id,
            None,
            "internal error: its worker stopped; run it again with --resume".into(),
        ));
    }
    Summary::new(&fleet.path, &fleet.sha256, shard, started_at, records)
}

/// How many case studies are done, and whom to tell.
struct Progress {
    done: AtomicUsize,
    total: usize,
    on_done: OnDone,
}

/// One case study to run: its id, the case study or why it cannot be read, and the
/// permits of its account.
struct Job {
    id: String,
    case: Result<CaseStudy, String>,
    per_account: Arc<Semaphore>,
}

/// The case studies of this shard, read (a bad one becomes its own failure), each with
/// the semaphore of its account.
fn jobs(fleet: &Fleet, shard: Option<Shard>) -> Vec<Job> {
    let mut accounts: BTreeMap<String, Arc<Semaphore>> = BTreeMap::new();
    fleet
        .entries
        .iter()
        .filter(|e| shard.is_none_or(|s| s.owns(&e.id)))
        .map(|entry| {
            let case = casestudy::resolve(entry.manifest.as_deref(), &entry.overrides)
                .map_err(|e| format!("{}: {e}", origin(&fleet.path, entry)));
            let account = case
                .as_ref()
                .map(|c| c.account_id.clone())
                .unwrap_or_default();
            let per_account = accounts
                .entry(account)
                .or_insert_with(|| Arc::new(Semaphore::new(fleet.per_account)))
                .clone();
            Job {
                id: entry.id.clone(),
                case,
                per_account,
            }
        })
        .collect()
}

/// Runs case studies from the queue on a runtime of its own, at most `slots` at once,
/// taking the next one as soon as one ends.
fn worker(
    queue: &Mutex<VecDeque<Job>>,
    slots: usize,
    shared: &Shared,
    global: &Arc<Semaphore>,
    progress: &Progress,
) -> Vec<Record> {
    let next = || {
        queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            // Another thread may still run them; this one takes one to say why it cannot.
            let why = format!("cannot start an async runtime: {e}");
            return next()
                .map(|j| vec![failure(&j.id, None, why)])
                .unwrap_or_default();
        }
    };
    runtime.block_on(async {
        let mut running = futures::stream::FuturesUnordered::new();
        let mut records = Vec::new();
        loop {
            while running.len() < slots {
                let Some(job) = next() else { break };
                running.push(take_on(job, shared, global, progress));
            }
            match futures::StreamExt::next(&mut running).await {
                Some(record) => records.push(record),
                // Nothing running after filling: the queue is empty.
                None => break,
            }
        }
        records
    })
}

/// One case study, within its account's and the fleet's limits, timed and reported.
async fn take_on(
    job: Job,
    shared: &Shared,
    global: &Arc<Semaphore>,
    progress: &Progress,
) -> Record {
    let started = Instant::now();
    // The account's permit first, so waiting on a busy account holds no global slot.
    let _account = job.per_account.acquire_owned().await.ok();
    let _slot = global.clone().acquire_owned().await.ok();
    let mut record = match job.case {
        Ok(case) => one(&job.id, case, shared).await,
        Err(error) => failure(&job.id, None, error),
    };
    record.seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    let n = progress.done.fetch_add(1, Ordering::SeqCst) + 1;
    (progress.on_done)(&record, n, progress.total);
    record
}

fn origin(fleet: &Path, entry: &Entry) -> String {
    format!(
        "{}:{} (case study {})",
        fleet.display(),
        entry.line,
        entry.id
    )
}

fn failure(id: &str, account: Option<String>, error: String) -> Record {
    Record {
        error: Some(error),
        ..Record::new(id, account, Outcome::Failed)
    }
}

/// The record of a sealed predicate: outcome, verdict counts, blockers.
fn record(id: &str, p: &Predicate, file: &str, sha256: String, resumed: bool) -> Record {
    let eval = p.evaluation.as_ref();
    let ready = match &p.renewal {
        Some(r) => r.ready,
        None => eval.is_some_and(|e| e.summary.ready),
    };
    let outcome = match eval {
        _ if !p.evidence.collection.complete => Outcome::Incomplete,
        Some(_) if ready => Outcome::Ready,
        _ => Outcome::Blocked,
    };
    Record {
        id: id.to_string(),
        account_id: Some(p.evidence.case_study.case_study.account_id.clone()),
        outcome,
        resumed,
        not_resumed: None,
        bundle: Some(file.to_string()),
        sha256: Some(sha256),
        verdicts: eval.map(|e| e.summary.verdicts.clone()).unwrap_or_default(),
        blockers: eval
            .map(|e| e.summary.blockers.iter().map(|b| b.item.clone()).collect())
            .unwrap_or_default(),
        expires: eval.and_then(|e| e.expiry.first()).map(|x| x.expires),
        renewal: p.renewal.as_ref().map(|r| RenewalRecord {
            previous: r.previous.sha256.clone(),
            regressions: r.regressions,
            carried_forward: r.carried_forward.iter().map(|c| c.item.clone()).collect(),
        }),
        error: None,
        seconds: 0.0,
    }
}

/// An earlier run's bundle for this case study, when it verifies with this run's keys
/// and is this case study's: `Err` says why a bundle found there is not kept.
fn resumed(
    id: &str,
    case: &CaseStudy,
    path: &Path,
    shared: &Shared,
) -> Result<Record, Option<String>> {
    if !path.exists() {
        return Err(None);
    }
    let bytes = crate::input::read_limited(path, crate::input::MAX_DOCUMENT_BYTES)
        .map_err(|e| Some(format!("{}: {e}", path.display())))?;
    let keys: Vec<_> = shared.signers.iter().map(Signer::public).collect();
    let sha256 = crate::digest::sha256_hex(&bytes);
    let report = crate::verify::verify(
        bytes,
        &keys,
        keys.len(),
        std::slice::from_ref(&shared.checklist),
    );
    let Some(predicate) = report.predicate.filter(|_| report.verified) else {
        return Err(Some(format!(
            "{} does not verify with this run's keys",
            path.display()
        )));
    };
    if let Some(why) = other_case_study(&predicate, case) {
        return Err(Some(format!(
            "{} is not this case study's: {why}",
            path.display()
        )));
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(record(id, &predicate, &file, sha256, true))
}

/// Why a verified bundle is another case study's (account, role, regions, or the rest of
/// the manifest: statements, claims, attachments, external id), if it is.
fn other_case_study(p: &Predicate, case: &CaseStudy) -> Option<String> {
    let record = &p.evidence.case_study;
    let theirs = &record.case_study;
    if theirs.account_id != case.account_id {
        return Some(format!(
            "it is for account {}, this case study is {}",
            theirs.account_id, case.account_id
        ));
    }
    if theirs.role_arn != case.role_arn {
        return Some(format!(
            "it assumed {}, this case study assumes {}",
            theirs.role_arn, case.role_arn
        ));
    }
    if theirs.regions != case.regions {
        return Some(format!(
            "it covers {}, this case study {}",
            theirs.regions.join(", "),
            case.regions.join(", ")
        ));
    }
    let external = case
        .external_id
        .as_deref()
        .map(|x| crate::digest::sha256_hex(x.as_bytes()));
    let same = serde_json::to_value(theirs).ok() == serde_json::to_value(case).ok()
        && record.external_id_sha256 == external;
    (!same).then(|| {
        "its case-study manifest (statements, claims, attachments or external id) differs".into()
    })
}

/// Last year's bundle of this case study (`--previous DIR/<id>.json`), verified with
/// this run's keys and the `--previous-key`s; none when the directory has none for it
/// (a case study new this year).
fn previous(
    id: &str,
    case: &CaseStudy,
    shared: &Shared,
) -> Result<Option<crate::renewal::Previous>, String> {
    let Some(dir) = &shared.settings.previous else {
        return Ok(None);
    };
    let path = dir.join(format!("{id}.json"));
    if !path.exists() {
        tracing::warn!(case_study = id, path = %path.display(), "no previous bundle: collected as a first year");
        return Ok(None);
    }
    let mut keys: Vec<_> = shared.signers.iter().map(Signer::public).collect();
    keys.extend(shared.settings.previous_keys.iter().cloned());
    let prev = crate::renewal::load_previous(&path, &keys, std::slice::from_ref(&shared.checklist))
        .map_err(|e| e.to_string())?;
    if prev.link.account != case.account_id {
        return Err(crate::renewal::RenewalError::Account {
            previous: prev.link.account,
            current: case.account_id.clone(),
        }
        .to_string());
    }
    Ok(Some(prev))
}

/// Collects, evaluates, seals and writes one case study.
async fn one(id: &str, case: CaseStudy, shared: &Shared) -> Record {
    let settings = &shared.settings;
    let file = format!("{id}.json");
    let path = settings.out_dir.join(&file);
    let mut not_resumed = None;
    if settings.resume {
        match resumed(id, &case, &path, shared) {
            Ok(r) => return r,
            Err(why) => {
                if let Some(why) = &why {
                    tracing::warn!(case_study = id, "--resume collects again: {why}");
                }
                not_resumed = why;
            }
        }
    }
    let account = Some(case.account_id.clone());
    let fail = |error: String| failure(id, account.clone(), error);
    let previous = match previous(id, &case, shared) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let items: Vec<&str> = shared
        .checklist
        .items
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    if let Err(e) = case.check_attachment_items(&items) {
        return fail(e.to_string());
    }
    let attachments = match crate::evidence::hash_attachments(&case) {
        Ok(a) => a,
        Err(e) => return fail(e.to_string()),
    };
    let mut plan = Plan::new(&case.account_id, case.regions.clone());
    plan.concurrency = settings.concurrency;
    plan.metric_days = settings.metric_days;
    let predicate = match pipeline::collect(
        &case,
        attachments,
        &settings.session,
        plan,
        &shared.checklist,
        None,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return fail(crate::text::error_chain(&e)),
    };
    let mut predicate = predicate;
    if let Some(prev) = &previous {
        match crate::renewal::renew(prev, &predicate, &shared.checklist) {
            Ok(r) => predicate.renewal = Some(r),
            Err(e) => return fail(format!("renewing {id}.json of --previous: {e}")),
        }
        let diff_path = settings.out_dir.join(format!("{id}.diff.json"));
        if let Err(e) = write_diff(&diff_path, prev, &predicate, &shared.checklist) {
            return fail(format!("writing {}: {e}", diff_path.display()));
        }
    }
    let mut done = record(id, &predicate, &file, String::new(), false);
    done.not_resumed = not_resumed;
    let envelope = match bundle::seal(predicate, &shared.signers).await {
        Ok(e) => e,
        Err(e) => return fail(format!("signing: {e}")),
    };
    match write_atomically(&path, &envelope) {
        Ok(sha256) => {
            done.sha256 = Some(sha256);
            done
        }
        Err(e) => fail(format!("writing {}: {e}", path.display())),
    }
}

/// Writes the bundle (or diff) next to its final name and renames it into place, so an
/// interrupted run never leaves a truncated bundle for `--resume` to find.
/// The renewal diff (as `dms-evidence diff` gives it, from both signed evaluations)
/// next to the bundle: verdict changes, resources added and removed, settings changed.
fn write_diff(
    path: &Path,
    prev: &crate::renewal::Previous,
    current: &Predicate,
    checklist: &Checklist,
) -> std::io::Result<String> {
    let (Some(old_eval), Some(new_eval)) = (&prev.predicate.evaluation, &current.evaluation) else {
        return Ok(String::new());
    };
    let d = crate::diff::diff(
        &prev.predicate.evidence,
        &current.evidence,
        old_eval,
        new_eval,
        checklist,
    );
    write_atomically(path, &d)
}

fn write_atomically(path: &Path, value: &impl serde::Serialize) -> std::io::Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::files::write(
        path,
        text.as_bytes(),
        0o644,
        crate::files::Existing::Replace,
    )?;
    Ok(crate::digest::sha256_hex(text.as_bytes()))
}
