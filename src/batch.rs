//! The batch machinery shared by `sign` and `verify`: which files a run processes (paths,
//! directories, `--files-from`), processing them on every core while reporting in input order,
//! the progress bar on a terminal and the closing summary line.
//!
//! Output is the same whatever `--jobs` is: workers compute results in any order, and one
//! thread reports them strictly in input order, each as soon as every earlier one is reported
//! (results are streamed, never all collected). Anything that depends on earlier files (the
//! replay check of `verify`) runs on that reporting thread.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Args;

use crate::error::CliError;
use crate::io::{InputLimit, describe_io, read_file_expecting, read_input};

/// The batch flags of `sign` and `verify`.
#[derive(Args, Clone, Debug)]
pub(crate) struct BatchArgs {
    /// Process N files at a time [default: the number of CPUs]; `--jobs 1` processes one at a
    /// time. The output (order, lines, exit code) is the same for every N.
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub(crate) jobs: Option<NonZeroUsize>,
    /// Print only the failures (no result for a file that passes, no summary line).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// Also process the files listed in FILE, one path per line (`-`: read the list from
    /// standard input); a listed directory is searched like one given as an argument.
    #[arg(long, value_name = "FILE")]
    pub(crate) files_from: Option<String>,
}

impl BatchArgs {
    /// How many files to process at a time: `--jobs`, or one per CPU.
    pub(crate) fn jobs(&self) -> usize {
        self.jobs.or_else(|| std::thread::available_parallelism().ok()).map_or(1, NonZeroUsize::get)
    }

    /// [`BatchArgs::jobs`] for `inputs` files: one alone needs no count of the CPUs (asking
    /// reads several files under /proc and /sys, a measurable part of a one-file run).
    pub(crate) fn jobs_for(&self, inputs: usize) -> usize {
        if inputs <= 1 { 1 } else { self.jobs() }
    }
}

fn parse_jobs(value: &str) -> Result<NonZeroUsize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (the default is the number of CPUs)".to_string()),
        Ok(n) => NonZeroUsize::new(n).ok_or_else(|| "must be at least 1".to_string()),
        Err(_) => Err("must be a whole number of files to process at a time".to_string()),
    }
}

/// The file extensions taken from a directory given as an input.
pub(crate) const DIRECTORY_EXTENSIONS: [&str; 3] = ["xml", "b64", "txt"];

/// One input of a batch.
#[derive(Clone, Debug)]
pub(crate) struct Input {
    /// The path as given or found (`-` is standard input); how the file is named in output.
    pub(crate) path: String,
    /// Where its output goes under an output directory: the file name of a path given as is,
    /// the path below the directory for a file found in one.
    pub(crate) output_name: PathBuf,
    /// Why the input cannot be processed at all (a directory without any file to process, or
    /// one that cannot be listed): reported as this input's failure, with exit 2.
    pub(crate) problem: Option<String>,
    /// The file's length when the list was made (a path given as is is looked at once, to tell
    /// a directory): reading it then needs no second look.
    length: Option<u64>,
}

impl Input {
    fn file(path: String, output_name: PathBuf) -> Self {
        Input { path, output_name, problem: None, length: None }
    }

    /// The bytes of this input (exit 2 with a message naming it when it cannot be read).
    pub(crate) fn read(&self, limit: InputLimit) -> Result<Vec<u8>, CliError> {
        match (&self.problem, self.length) {
            (Some(problem), _) => Err(CliError::input(problem)),
            // Only a file named by path has a length (standard input is never looked at).
            (None, Some(length)) => read_file_expecting(Path::new(&self.path), limit, Some(length))
                .map_err(CliError::input),
            (None, _) => read_input(&self.path, limit),
        }
    }
}

/// The most a `--files-from` list may hold (about a million paths).
const FILES_FROM: InputLimit = InputLimit { bytes: 64 * 1024 * 1024, what: "a --files-from list" };

/// Every input of a run, in order: the `files` arguments (standard input when there are none
/// and no `--files-from`), then the paths listed in `--files-from`. A directory stands for the
/// `*.xml`, `*.b64` and `*.txt` files below it, searched recursively and sorted by path, so a
/// run over the same tree always processes files in the same order.
pub(crate) fn inputs(files: &[String], files_from: Option<&str>) -> Result<Vec<Input>, CliError> {
    let mut paths: Vec<String> = files.to_vec();
    if let Some(list) = files_from {
        let bytes = read_input(list, FILES_FROM)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CliError::input(format!("--files-from {}: not UTF-8 text", crate::io::shown_path(list)))
        })?;
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            if line == "-" && list == "-" {
                return Err(CliError::input(
                    "--files-from - reads the list from standard input, which cannot also be an input ('-' in the list)",
                ));
            }
            paths.push(line.to_string());
        }
    } else if paths.is_empty() {
        paths.push("-".to_string());
    }
    if paths.iter().filter(|p| p.as_str() == "-").count() > 1 {
        return Err(CliError::input("standard input ('-') can be read only once per run"));
    }
    let mut inputs = Vec::with_capacity(paths.len());
    for path in paths {
        // One look at the path tells a directory and, for a file, its length.
        let metadata = (path != "-").then(|| std::fs::metadata(&path).ok()).flatten();
        if metadata.as_ref().is_some_and(std::fs::Metadata::is_dir) {
            expand_directory(&path, &mut inputs);
        } else {
            let output_name = Path::new(&path)
                .file_name()
                .filter(|_| path != "-")
                .map_or_else(|| PathBuf::from("stdin.xml"), PathBuf::from);
            let length = metadata.filter(std::fs::Metadata::is_file).map(|m| m.len());
            inputs.push(Input { length, ..Input::file(path, output_name) });
        }
    }
    Ok(inputs)
}

/// Appends the files of directory `root` (see [`inputs`]). Hidden entries (a name starting
/// with `.`, such as the temporary files of a batch being written) are skipped, and so are
/// symbolic links to directories (they could loop); symbolic links to files are followed.
fn expand_directory(root: &str, inputs: &mut Vec<Input>) {
    let before = inputs.len();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = Path::new(root).join(&relative);
        let mut entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| (e.file_name(), e.file_type().map(|t| t.is_dir()).unwrap_or(false)))
                .collect::<Vec<_>>(),
            Err(e) => {
                let shown = dir.display().to_string();
                inputs.push(Input {
                    problem: Some(format!("cannot read directory {shown}: {}", describe_io(&e))),
                    ..Input::file(shown, relative)
                });
                continue;
            }
        };
        entries.sort();
        // Subdirectories are pushed in reverse so the stack pops them in sorted order, after
        // this directory's own files: a sorted walk, files before subdirectories.
        let mut subdirs = Vec::new();
        for (name, is_dir) in entries {
            let below = relative.join(&name);
            if is_dir {
                subdirs.push(below);
                continue;
            }
            let path = Path::new(root).join(&below);
            let wanted = Path::new(&name)
                .extension()
                .is_some_and(|ext| DIRECTORY_EXTENSIONS.iter().any(|w| ext == *w));
            // The look that tells a file (a link may lead to anything) also gives its length.
            let file = wanted.then(|| std::fs::metadata(&path).ok()).flatten();
            if let Some(length) = file.filter(std::fs::Metadata::is_file).map(|m| m.len()) {
                let input = Input::file(path.display().to_string(), below);
                inputs.push(Input { length: Some(length), ..input });
            }
        }
        pending.extend(subdirs.into_iter().rev());
    }
    if inputs.len() == before {
        inputs.push(Input {
            problem: Some(format!(
                "{root}: no *.xml, *.b64 or *.txt file in this directory or below"
            )),
            ..Input::file(root.to_string(), PathBuf::new())
        });
    }
}

/// When an input is standard input and that is a terminal, says on stderr what the command is
/// waiting for (instead of appearing to hang).
pub(crate) fn announce_stdin(inputs: &[Input], what: &str) {
    if inputs.iter().any(|i| i.path == "-" && i.problem.is_none()) && std::io::stdin().is_terminal()
    {
        eprintln!("reading {what} from standard input (paste it, then Ctrl-D)…");
    }
}

/// Runs `work` on every item, `jobs` at a time, and hands each result to `report` in item
/// order, as soon as it and every earlier result are ready. Workers stay at most a few items
/// ahead of `report`, so memory does not grow with the batch. The first error of `report`
/// stops the batch (no further item is started) and is returned.
///
/// The calling thread is one of the `jobs`: it works on items too and reports between them.
/// Results wait in a shared in-order queue, and a thread is woken only when the other one
/// waits for it (the reporter for the next result, a worker for room in the window). Handing
/// each result to a separate reporting thread cost a wake-up per file: thousands of futex
/// calls and context switches, as much CPU as a fifth of the work itself.
pub(crate) fn run_ordered<T, R, E>(
    items: &[T],
    jobs: usize,
    progress: &mut Progress,
    work: impl Fn(&T) -> R + Sync,
    mut report: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    if jobs <= 1 || items.len() <= 1 {
        for item in items {
            let result = work(item);
            progress.suspend(|| report(item, result))?;
            progress.advance();
        }
        return Ok(());
    }
    let queue = Queue::new(items.len(), jobs * WINDOW_PER_JOB);
    std::thread::scope(|scope| {
        for _ in 1..jobs.min(items.len()) {
            let (queue, work) = (&queue, &work);
            scope.spawn(move || {
                let _stop_if_panicking = StopOnPanic(queue);
                while let Some(index) = queue.claim_for_worker() {
                    queue.deposit(index, work(&items[index]));
                }
            });
        }
        let _stop_if_panicking = StopOnPanic(&queue);
        loop {
            match queue.next_step() {
                Step::Report(index, result) => {
                    let outcome = progress.suspend(|| report(&items[index], result));
                    progress.advance();
                    if outcome.is_err() {
                        queue.stop();
                        return outcome;
                    }
                }
                Step::Work(index) => queue.deposit(index, work(&items[index])),
                Step::Done => {
                    queue.stop();
                    return Ok(());
                }
            }
        }
    })
}

/// How many items per job [`run_ordered`] may start ahead of the last reported one. The
/// reporting thread also works on items, so while it is descheduled (a busy machine) the
/// workers go on for this long (32 small responses: a couple of milliseconds, about a
/// scheduler time slice) before they wait for it; a result waiting to be reported is small.
const WINDOW_PER_JOB: usize = 32;

/// The shared state of [`run_ordered`]: which item to start next, and the results not yet
/// reported, in item order.
struct Queue<R> {
    state: Mutex<QueueState<R>>,
    /// The reporting thread waits here for the next result.
    result_ready: Condvar,
    /// Workers wait here for room in the window.
    room: Condvar,
    /// How many items there are.
    len: usize,
    /// How far ahead of the last reported item an item may be started.
    window: usize,
}

struct QueueState<R> {
    /// The next item to start.
    next: usize,
    /// How many results have been reported (taken by the reporting thread).
    reported: usize,
    /// One slot per started, unreported item (`reported..next`): its result once done.
    pending: VecDeque<Option<R>>,
    /// Reporting failed, or a thread panicked: start nothing more.
    stop: bool,
    /// The reporting thread waits on `result_ready`.
    reporter_waiting: bool,
    /// How many workers wait on `room` and have not been woken yet.
    workers_waiting: usize,
}

/// What the reporting thread does next.
enum Step<R> {
    /// Report the result of this item (the next in order).
    Report(usize, R),
    /// Work on this item (nothing is ready to report and the window has room).
    Work(usize),
    /// Every item is reported, or the batch stopped.
    Done,
}

impl<R> Queue<R> {
    fn new(len: usize, window: usize) -> Self {
        Queue {
            state: Mutex::new(QueueState {
                next: 0,
                reported: 0,
                pending: VecDeque::with_capacity(window),
                stop: false,
                reporter_waiting: false,
                workers_waiting: 0,
            }),
            result_ready: Condvar::new(),
            room: Condvar::new(),
            len,
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState<R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the next item if the batch goes on and the window has room.
    fn try_claim(&self, s: &mut QueueState<R>) -> Option<usize> {
        if s.stop || s.next >= self.len || s.next >= s.reported + self.window {
            return None;
        }
        s.next += 1;
        s.pending.push_back(None);
        Some(s.next - 1)
    }

    /// The next item for a worker, waiting for room in the window; `None` when there is none
    /// left or the batch stopped.
    fn claim_for_worker(&self) -> Option<usize> {
        let mut s = self.lock();
        loop {
            if let Some(index) = self.try_claim(&mut s) {
                return Some(index);
            }
            if s.stop || s.next >= self.len {
                return None;
            }
            // Counted until woken (the waker resets the count, so it wakes them only once).
            s.workers_waiting += 1;
            s = self.room.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wakes the workers waiting for room in the window, if any.
    fn wake_workers(&self, s: &mut QueueState<R>) {
        if s.workers_waiting > 0 {
            s.workers_waiting = 0;
            self.room.notify_all();
        }
    }

    /// Stores the result of item `index`, waking the reporting thread if it waits for it.
    fn deposit(&self, index: usize, result: R) {
        let mut s = self.lock();
        let offset = index.wrapping_sub(s.reported);
        if let Some(slot) = s.pending.get_mut(offset) {
            *slot = Some(result);
        }
        if offset == 0 && s.reporter_waiting {
            self.result_ready.notify_one();
        }
    }

    /// For the reporting thread: the next result in order if it is ready, else an item to
    /// work on, else waits for the next result.
    fn next_step(&self) -> Step<R> {
        let mut s = self.lock();
        loop {
            if s.stop {
                return Step::Done;
            }
            if matches!(s.pending.front(), Some(Some(_)))
                && let Some(Some(result)) = s.pending.pop_front()
            {
                s.reported += 1;
                // Waiting workers are woken once half the window is free, not at every
                // result: one wake-up starts several items.
                if s.workers_waiting > 0 && s.next + self.window / 2 <= s.reported + self.window {
                    self.wake_workers(&mut s);
                }
                return Step::Report(s.reported - 1, result);
            }
            if s.reported >= self.len {
                return Step::Done;
            }
            if let Some(index) = self.try_claim(&mut s) {
                return Step::Work(index);
            }
            // About to wait for a worker: none may be left waiting for room.
            self.wake_workers(&mut s);
            s.reporter_waiting = true;
            s = self.result_ready.wait(s).unwrap_or_else(PoisonError::into_inner);
            s.reporter_waiting = false;
        }
    }

    /// Starts nothing more, and wakes every waiting thread so it sees that.
    fn stop(&self) {
        self.lock().stop = true;
        self.room.notify_all();
        self.result_ready.notify_all();
    }
}

/// Stops the batch when the thread holding it unwinds from a panic, so no other thread waits
/// forever for a result or for room that will not come (the scope then re-raises the panic).
struct StopOnPanic<'q, R>(&'q Queue<R>);

impl<R> Drop for StopOnPanic<'_, R> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Tests set this to 0 to see the bar at once; otherwise it appears after a second.
const PROGRESS_DELAY_VARIABLE: &str = "SAMLKIT_PROGRESS_DELAY_MS";

/// The progress bar of a batch: drawn on stderr only when stderr is a terminal, and only once
/// the batch has run for a second (a quick batch, or any output to a file or a pipe, never
/// shows one).
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    delay: Duration,
    visible: bool,
}

impl Progress {
    /// A bar for `total` files, labelled with `verb` (`verifying`, `signing`).
    pub(crate) fn new(total: usize, verb: &str) -> Self {
        let delay = std::env::var(PROGRESS_DELAY_VARIABLE)
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis);
        let bar = (total > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {human_pos}/{human_len} files, {eta} left",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(verb.to_string());
            bar
        });
        Progress { bar, started: Instant::now(), delay, visible: false }
    }

    /// A progress bar that is never drawn.
    #[cfg(test)]
    pub(crate) fn none() -> Self {
        Progress { bar: None, started: Instant::now(), delay: Duration::ZERO, visible: false }
    }

    /// True when a bar may be drawn (stderr is a terminal): whoever writes to stdout during the
    /// batch flushes after each result, so the bar and the results never interleave.
    pub(crate) fn on_terminal(&self) -> bool {
        self.bar.is_some()
    }

    /// Runs `f` with the bar cleared from the screen (it prints a result or an error).
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) if self.visible => bar.suspend(f),
            _ => f(),
        }
    }

    /// One more file done; shows the bar once the batch has run long enough.
    fn advance(&mut self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.visible && self.started.elapsed() >= self.delay {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.visible = true;
        }
    }

    /// Removes the bar from the screen before the summary line.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `20,001 files: 20,000 valid, 1 invalid`: the total, then each non-zero count with its label.
pub(crate) fn summary(total: usize, counts: &[(usize, &str)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{} {label}", thousands(*n)))
        .collect();
    let noun = if total == 1 { "file" } else { "files" };
    format!("{} {noun}: {}", thousands(total), parts.join(", "))
}

/// `20001` as `20,001`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_what_happened() {
        type Case<'a> = (usize, &'a [(usize, &'a str)], &'a str);
        let cases: [Case; 4] = [
            (
                20_001,
                &[(20_000, "valid"), (1, "invalid"), (0, "unreadable")],
                "20,001 files: 20,000 valid, 1 invalid",
            ),
            (1, &[(1, "signed"), (0, "failed")], "1 file: 1 signed"),
            (
                3,
                &[(0, "valid"), (2, "invalid"), (1, "unreadable")],
                "3 files: 2 invalid, 1 unreadable",
            ),
            (1_234_567, &[(1_234_567, "valid")], "1,234,567 files: 1,234,567 valid"),
        ];
        for (total, counts, expected) in cases {
            assert_eq!(summary(total, counts), expected);
        }
    }

    #[test]
    fn results_are_reported_in_input_order_whatever_the_jobs() {
        let items: Vec<u64> = (0..500).collect();
        for jobs in [1, 2, 4, 16] {
            let mut seen = Vec::new();
            // Later items finish first: the reorder buffer has to hold them back.
            let work = |n: &u64| {
                std::thread::sleep(Duration::from_micros((500 - n) % 7 * 50));
                n * 2
            };
            run_ordered(&items, jobs, &mut Progress::none(), work, |item, doubled| {
                assert_eq!(doubled, item * 2);
                seen.push(*item);
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(seen, items, "jobs {jobs}");
        }
    }

    #[test]
    fn a_reporting_error_stops_the_batch() {
        let items: Vec<usize> = (0..10_000).collect();
        let started = std::sync::atomic::AtomicUsize::new(0);
        let mut reported = 0;
        let outcome = run_ordered(
            &items,
            4,
            &mut Progress::none(),
            |_| started.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            |item, _| {
                reported += 1;
                if *item == 10 { Err("stdout closed") } else { Ok(()) }
            },
        );
        assert_eq!(outcome, Err("stdout closed"));
        assert_eq!(reported, 11);
        // Workers run at most a window ahead of what was reported.
        assert!(
            started.into_inner() <= 11 + 4 * WINDOW_PER_JOB,
            "the batch went on after the error"
        );
    }

    #[test]
    fn jobs_zero_is_refused() {
        assert_eq!(
            parse_jobs("0").unwrap_err(),
            "must be at least 1 (the default is the number of CPUs)"
        );
        assert_eq!(parse_jobs("3").unwrap().get(), 3);
        assert!(parse_jobs("-1").is_err());
    }
}
