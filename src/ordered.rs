//! Jobs run on worker threads, their results taken on the calling thread in the order the jobs
//! were made: a preview's runs of regions, batches of named files. Only a few jobs are in
//! flight at a time, so that memory holds a few results however many jobs there are, and the
//! calling thread makes the next job only when there is room for it: what makes jobs may be a
//! sequential walk (a preview's regions) that the workers could not share.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs `work` on every job of `jobs` on `threads` threads (inline for one), and hands each
/// result to `take` in the order of `jobs`. At most `per_thread` jobs for each thread are in
/// flight (being worked on, waiting, or done and waiting to be taken): two are enough for jobs
/// of one size; jobs that differ more need more, or a long one holds the threads up while the
/// jobs behind it wait to be taken. `take` returns whether it wants more: `false`, or
/// an error, stops the run; jobs already handed out are then dropped unworked where they have
/// not started.
pub fn in_order<J, R, E>(
    jobs: impl Iterator<Item = J>,
    threads: usize,
    per_thread: usize,
    work: impl Fn(J) -> R + Sync,
    mut take: impl FnMut(R) -> Result<bool, E>,
) -> Result<(), E>
where
    J: Send,
    R: Send,
{
    if threads <= 1 {
        for job in jobs {
            if !take(work(job))? {
                break;
            }
        }
        return Ok(());
    }
    let in_flight = threads * per_thread.max(1);
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) =
        crossbeam_channel::bounded::<(J, crossbeam_channel::Sender<R>)>(in_flight);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let job_rx = job_rx.clone();
            let (work, stop) = (&work, &stop);
            scope.spawn(move || {
                for (job, reply) in job_rx {
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    // The calling thread waits for this result unless it has stopped.
                    let _ = reply.send(work(job));
                }
            });
        }
        drop(job_rx);
        let mut jobs = jobs;
        let mut pending = VecDeque::with_capacity(in_flight);
        let result = loop {
            while pending.len() < in_flight {
                let Some(job) = jobs.next() else { break };
                let (reply, result) = crossbeam_channel::bounded(1);
                // The workers hold the receiver until this sender is dropped below.
                if job_tx.send((job, reply)).is_err() {
                    break;
                }
                pending.push_back(result);
            }
            let Some(result) = pending.pop_front() else {
                break Ok(());
            };
            // A worker that panicked drops its reply; the scope passes the panic on.
            let Ok(result) = result.recv() else {
                break Ok(());
            };
            match take(result) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(err) => break Err(err),
            }
        };
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    const IN_FLIGHT_PER_THREAD: usize = 2;

    #[test]
    fn results_come_in_the_order_of_the_jobs_whatever_finishes_first() {
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            in_order(
                0..50u64,
                threads,
                IN_FLIGHT_PER_THREAD,
                |n| {
                    // Later jobs finish sooner.
                    std::thread::sleep(Duration::from_micros((50 - n) * 20));
                    n * n
                },
                |square| {
                    seen.push(square);
                    Ok::<_, io::Error>(true)
                },
            )
            .unwrap();
            assert_eq!(
                seen,
                (0..50u64).map(|n| n * n).collect::<Vec<_>>(),
                "{threads}"
            );
        }
    }

    #[test]
    fn one_thread_works_inline_and_more_work_on_threads_of_their_own() {
        let caller = std::thread::current().id();
        for threads in [1, 2, 3] {
            let mut on_caller = Vec::new();
            in_order(
                0..20,
                threads,
                IN_FLIGHT_PER_THREAD,
                |_| std::thread::current().id() == caller,
                |inline| {
                    on_caller.push(inline);
                    Ok::<_, io::Error>(true)
                },
            )
            .unwrap();
            assert!(
                on_caller.iter().all(|&inline| inline == (threads == 1)),
                "{threads}"
            );
        }
    }

    #[test]
    fn every_thread_has_a_job_at_once() {
        // Each job waits until one has started on every thread: with fewer jobs in flight than
        // threads, they would wait for ever (each gives up after ten seconds and says so).
        for threads in [2, 3, 4] {
            let started = AtomicUsize::new(0);
            let mut gave_up = 0;
            in_order(
                0..threads * 3,
                threads,
                IN_FLIGHT_PER_THREAD,
                |_| {
                    started.fetch_add(1, Ordering::SeqCst);
                    let deadline = std::time::Instant::now() + Duration::from_secs(10);
                    while started.load(Ordering::SeqCst) < threads {
                        if std::time::Instant::now() > deadline {
                            return false;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    true
                },
                |all_started| {
                    gave_up += usize::from(!all_started);
                    Ok::<_, io::Error>(true)
                },
            )
            .unwrap();
            assert_eq!(gave_up, 0, "{threads}");
        }
    }

    #[test]
    fn a_stop_makes_no_more_jobs_and_an_error_is_returned() {
        for threads in [1, 2, 4] {
            let made = AtomicUsize::new(0);
            let jobs = (0..1000).inspect(|_| {
                made.fetch_add(1, Ordering::Relaxed);
            });
            let mut taken = 0;
            in_order(
                jobs,
                threads,
                IN_FLIGHT_PER_THREAD,
                |n| n,
                |_| {
                    taken += 1;
                    Ok::<_, io::Error>(taken < 3)
                },
            )
            .unwrap();
            assert_eq!(taken, 3);
            // The jobs made are those taken, and on threads those in flight behind the last
            // one taken: a job is made only when there is room for it.
            let behind = if threads == 1 {
                0
            } else {
                threads * IN_FLIGHT_PER_THREAD - 1
            };
            assert_eq!(made.load(Ordering::Relaxed), 3 + behind, "{threads}");
            let failed = in_order(
                0..10,
                threads,
                IN_FLIGHT_PER_THREAD,
                |n| n,
                |n| {
                    if n == 4 {
                        Err(io::Error::other("closed"))
                    } else {
                        Ok::<_, io::Error>(true)
                    }
                },
            );
            assert_eq!(failed.unwrap_err().to_string(), "closed");
        }
    }
}
