//! Runs a command over every source: one after another for one source (printing as it goes), or
//! on worker threads for many, each with its own output buffer, the buffers printed in the
//! sources' order whatever thread finished first. A source that fails is reported
//! (`mmt: PATH: reason`) and the others are still done; the exit status is merged at the end.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;

use crate::exit::{ExitCode, Outcome, Tally};
use crate::files::name::Name;
use crate::files::source::{Done, Item, Source, SourceEntry, Sources, Unreachable};
use crate::files::walk;
use crate::ordered;
use crate::output::Printer;
use crate::progress::RunProgress;
use crate::settings::Settings;
use crate::test_hooks::{self, Step};

/// Runs `work` on every source on `threads` threads, and hands each result (or the reason a
/// source could not be reached) to `consume` in the order of the sources, directories walked
/// as on one thread. `consume` runs on the calling thread; an error from it stops the run and
/// is returned.
pub fn ordered<T, W, C>(sources: Sources, threads: usize, work: W, mut consume: C) -> Result<()>
where
    T: Send,
    W: Fn(&Source) -> T + Sync,
    C: FnMut(Done<T>) -> Result<()>,
{
    // A test removes a listed file while mmt waits here, before it opens the next.
    let work = |source: &Source| {
        test_hooks::hold_at(Step::BeforeOpen);
        test_hooks::hold_planning(source.path());
        work(source)
    };
    if threads <= 1 {
        for entry in sources.entries() {
            consume(entry.map(|source| {
                let done = work(&source);
                (source, done)
            }))?;
        }
        return Ok(());
    }
    // A directory is walked by the threads that work on its files; a run of single sources
    // (PATHs, a list) is handed to a pool of workers.
    let mut items = sources.items.peekable();
    while let Some(item) = items.next() {
        match item {
            Item::Tree(dir) => {
                walk::in_walk_order(&dir, &sources.walk, threads, &work, &mut consume)?
            }
            Item::One(first) => {
                let rest = std::iter::from_fn(|| match items.next_if(Item::is_one)? {
                    Item::One(entry) => Some(entry),
                    Item::Tree(_) => None,
                });
                pool(
                    std::iter::once(first).chain(rest),
                    threads,
                    &work,
                    &mut consume,
                )?;
            }
        }
    }
    Ok(())
}

/// Runs `work` on every source of `entries` on `threads` worker threads, and hands each result
/// to `consume` in the order of `entries`.
fn pool<T, W, C>(
    entries: impl Iterator<Item = SourceEntry>,
    threads: usize,
    work: &W,
    consume: &mut C,
) -> Result<()>
where
    T: Send,
    W: Fn(&Source) -> T + Sync,
    C: FnMut(Done<T>) -> Result<()>,
{
    // Entries are handed over a batch at a time, since a hand-over per file (a wake-up for the
    // worker, another for its result) costs more than searching a small file. A large file in
    // a batch is no loss: it is searched on every core by itself (see `chunked`).
    let mut entries = entries.enumerate();
    let batches = std::iter::from_fn(|| {
        let mut batch = Vec::with_capacity(BATCH);
        for (index, entry) in entries.by_ref() {
            batch.push(entry);
            // The first entries go one by one, so that a run of a few files starts on every
            // worker at once.
            if batch.len() == BATCH || index < threads {
                break;
            }
        }
        (!batch.is_empty()).then_some(batch)
    });
    let stop = AtomicBool::new(false);
    let work_on = |batch: Vec<SourceEntry>| -> Vec<Done<T>> {
        batch
            .into_iter()
            // A run stopped (a closed pipe, say) stops within a batch too.
            .take_while(|_| !stop.load(Ordering::Relaxed))
            .map(|entry| {
                entry.map(|source| {
                    let done = work(&source);
                    (source, done)
                })
            })
            .collect()
    };
    ordered::in_order(batches, threads, BATCHES_PER_THREAD, work_on, |results| {
        for done in results {
            if let Err(err) = consume(done) {
                stop.store(true, Ordering::Relaxed);
                return Err(err);
            }
        }
        Ok(true)
    })
}

/// Entries handed to a worker at a time.
const BATCH: usize = 16;
/// Batches in flight for each worker: files differ in size, and with fewer a large one holds
/// the other workers up while the batches behind it wait to be printed.
const BATCHES_PER_THREAD: usize = 4;

/// What a job left for one source: its standard output, its standard error, and its result.
struct Buffered {
    printed: Vec<u8>,
    /// It holds a group of lines with context (see `Printer::first_group_of_file`).
    grouped: bool,
    /// It holds a heading (see `Printer::heading`).
    headed: bool,
    messages: Vec<u8>,
    result: Result<Outcome>,
    /// The file's size, for the progress bar.
    len: u64,
}

/// A command that works on one source at a time and prints what it finds.
pub type Job<'a> = dyn Fn(&Source, &mut Printer) -> Result<Outcome> + Sync + 'a;

/// Runs `job` over every source: printing straight to standard output when there is one source
/// or one thread, else through a buffer per source, printed in order. Records are labelled with
/// their file when `labelled`.
pub fn each(sources: Sources, settings: &Settings, labelled: bool, job: &Job) -> Result<ExitCode> {
    let mut tally = Tally::default();
    if !sources.many || settings.threads <= 1 {
        let mut printer = Printer::stdout(settings.style);
        for entry in sources.entries() {
            match entry {
                Ok(source) => {
                    printer.set_label(labelled.then_some(&source));
                    test_hooks::hold_at(Step::BeforeOpen);
                    match job(&source, &mut printer) {
                        Ok(outcome) => tally.add(outcome),
                        Err(err) if is_broken_pipe(&err) => return Err(err),
                        Err(err) => {
                            tally.add_failure();
                            printer.message(&format!(
                                "mmt: {}: {:#}",
                                source.name(),
                                describe(err)
                            ));
                        }
                    }
                }
                Err(unreachable) => {
                    tally.add_failure();
                    printer.message(&describe_unreachable(unreachable));
                }
            }
        }
        printer.flush()?;
        return Ok(tally.exit_code());
    }
    let style = settings.style;
    let progress = RunProgress::new(settings.watched);
    let work = |source: &Source| {
        let len = progress_len(&progress, source);
        progress.start_file(source, len);
        let mut printer = Printer::buffered(style);
        printer.set_label(labelled.then_some(source));
        let result = job(source, &mut printer);
        let grouped = printer.grouped();
        let headed = printer.headed();
        let (printed, messages) = printer.into_buffers();
        Buffered {
            printed,
            grouped,
            headed,
            messages,
            result,
            len,
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut any_grouped = false;
    let mut any_headed = false;
    let consume = |done: Done<Buffered>| {
        match done {
            Ok((
                source,
                Buffered {
                    printed,
                    grouped,
                    headed,
                    messages,
                    result,
                    len,
                },
            )) => {
                progress.finish_file(len);
                if grouped {
                    if let Some(separator) = style.group_separator(true).filter(|_| any_grouped) {
                        out.write_all(separator)?;
                    }
                    any_grouped = true;
                }
                if headed {
                    // Files under headings are a blank line apart, as rg prints them.
                    if any_headed {
                        out.write_all(b"\n")?;
                    }
                    any_headed = true;
                }
                out.write_all(&printed)?;
                if !messages.is_empty() {
                    out.flush()?;
                    progress.suspend(|| io::stderr().write_all(&messages))?;
                }
                match result {
                    Ok(outcome) => tally.add(outcome),
                    Err(err) if is_broken_pipe(&err) => return Err(err),
                    Err(err) => {
                        tally.add_failure();
                        out.flush()?;
                        let message = format!("mmt: {}: {:#}", source.name(), describe(err));
                        progress.suspend(|| say!("{message}"));
                    }
                }
            }
            Err(unreachable) => {
                tally.add_failure();
                out.flush()?;
                progress.suspend(|| say!("{}", describe_unreachable(unreachable)));
            }
        }
        Ok(())
    };
    ordered(sources, settings.threads, work, consume)?;
    out.flush()?;
    Ok(tally.exit_code())
}

/// A source's size for the progress bar: only looked up when a bar may be drawn.
fn progress_len(progress: &RunProgress, source: &Source) -> u64 {
    match source {
        Source::File { path, .. } if progress.is_active() => {
            std::fs::metadata(path).map_or(0, |m| m.len())
        }
        _ => 0,
    }
}

/// The message for a source that could not be reached.
pub fn describe_unreachable(unreachable: Unreachable) -> String {
    if unreachable.name.is_empty() {
        format!("mmt: {:#}", unreachable.error)
    } else {
        format!(
            "mmt: {}: {:#}",
            Name::of_text(&unreachable.name),
            unreachable.error
        )
    }
}

/// The kernel answers EFAULT, not SIGBUS, when it copies from mapped pages that a truncation
/// took away (writing a mapped record to standard output); say what happened.
pub fn describe(err: anyhow::Error) -> anyhow::Error {
    let faulted = err
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.raw_os_error() == Some(libc::EFAULT));
    if faulted {
        err.context("file was truncated while mapped (use --no-mmap to work on a copy in memory)")
    } else {
        err
    }
}

/// Whether the reader of standard output went away (`mmt ... | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn files(n: usize) -> Box<dyn Iterator<Item = SourceEntry> + Send> {
        Box::new((0..n).map(|i| {
            if i % 7 == 3 {
                Err(Unreachable {
                    name: format!("f{i}"),
                    error: anyhow::anyhow!("gone"),
                })
            } else {
                Ok(Source::File {
                    path: PathBuf::from(format!("f{i}")),
                    named: true,
                })
            }
        }))
    }

    fn sources(n: usize) -> Sources {
        Sources {
            many: true,
            items: Box::new(files(n).map(Item::One)),
            walk: Default::default(),
        }
    }

    fn run(threads: usize) -> Vec<String> {
        let mut seen = Vec::new();
        ordered(
            sources(50),
            threads,
            |source| {
                // Later files finish first, so that order comes from the merge, not the timing.
                let n: u64 = source.name().to_string()[1..].parse().unwrap();
                std::thread::sleep(std::time::Duration::from_micros(50 * (50 - n)));
                source.name().to_string().to_uppercase()
            },
            |done| {
                seen.push(match done {
                    Ok((source, upper)) => format!("{}={upper}", source.name()),
                    Err(unreachable) => format!("{}!", unreachable.name),
                });
                Ok(())
            },
        )
        .unwrap();
        seen
    }

    #[test]
    fn results_come_back_in_order_for_any_number_of_threads() {
        let one = run(1);
        assert_eq!(one.len(), 50);
        assert_eq!(one[0], "f0=F0");
        assert_eq!(one[3], "f3!");
        for threads in [2, 3, 8] {
            assert_eq!(run(threads), one, "{threads} threads");
        }
    }

    #[test]
    fn an_error_while_consuming_stops_the_run() {
        let mut consumed = 0;
        let result = ordered(
            sources(1000),
            4,
            |source| source.name().to_string(),
            |_| {
                consumed += 1;
                if consumed == 5 {
                    anyhow::bail!("reader went away");
                }
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "reader went away");
        assert_eq!(consumed, 5);
    }
}
