//! Output stage, across sessions: the history. Every analysed video and every live session goes
//! into one SQLite database with its reps, so progress can be followed week by week
//! (`formcheck history`). A video analysed again replaces its record; a live session's reps are
//! committed one by one as they complete, so a session killed outright keeps every finished rep.
//!
//! WAL mode with `synchronous=FULL`: a commit is on disk when it returns, readers never block
//! the writer, and two writers wait for each other (`busy_timeout`) instead of failing.

pub mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};

use crate::geometry::Leg;
use crate::judge::{Concern, Rep};
use crate::output::json::RepRecord;

/// Where `analyze` and `live` record sessions, and for whom.
#[derive(Debug, Clone)]
pub struct HistorySettings {
    /// The database; `None` records nothing.
    pub path: Option<PathBuf>,
    pub person: String,
    /// Whether `--person` was given (else [`DEFAULT_PERSON`]).
    pub person_given: bool,
}

/// Whose sessions they are when `--person` is not given.
pub const DEFAULT_PERSON: &str = "me";

/// `formcheck history`: which database, whose sessions, and the files to write.
#[derive(Debug, Clone)]
pub struct HistoryCommand {
    pub path: PathBuf,
    pub person: Option<String>,
    pub report: Option<PathBuf>,
    pub csv: Option<PathBuf>,
}

/// The file under the user's data directory when `--history` is not given.
pub const DEFAULT_FILE: &str = "formcheck/history.sqlite";
/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause between attempts to open a history another formcheck is opening.
const OPEN_RETRY: Duration = Duration::from_millis(20);

/// The schema, one step a version (SQLite's `user_version` counts them). Never edit a step
/// that has shipped: add one.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE session (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('video', 'live')),
            -- What was watched: the video's path, or the live source.
            source TEXT NOT NULL,
            -- A video's canonical path, so analysing it again updates its record; NULL live.
            video_key TEXT UNIQUE,
            -- When it happened, seconds since the Unix epoch (a video: its modification time).
            at_unix_s INTEGER NOT NULL,
            exercise TEXT NOT NULL,
            side TEXT,
            model TEXT NOT NULL,
            engine TEXT NOT NULL,
            formcheck_version TEXT NOT NULL,
            -- How a live session ended; NULL while it runs (or if it was killed).
            ended TEXT
        );
        CREATE INDEX session_person ON session (person, exercise, at_unix_s);
        CREATE TABLE rep (
            session_id INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            set_number INTEGER NOT NULL,
            -- The legs judged, 'left', 'right' or 'left,right'.
            legs TEXT NOT NULL,
            complete INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            -- Each concern: ok, fault, borderline or not_judged; NULL when the exercise does
            -- not judge it.
            valgus TEXT,
            knee_over_toe TEXT,
            left_fppa_deg REAL,
            right_fppa_deg REAL,
            -- The rep as reps.json holds it: every measure and flag, judged or not, with reasons.
            record TEXT NOT NULL,
            PRIMARY KEY (session_id, number)
        );",
        ),
        // Version 2: the answer at the end of a guided session (pain, swelling, giving way).
        M::up(
            "CREATE TABLE check_in (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL,
            at_unix_s INTEGER NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'not_answered'))
        );",
        ),
    ])
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("--history {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("--history {}: cannot create its folder: {source}", path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--history {}: written by a newer formcheck (schema version {found}, this one knows up to {known}); upgrade formcheck or give another --history", path.display())]
    Newer {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error("--history {}: {source}", path.display())]
    Migrate {
        path: PathBuf,
        source: rusqlite_migration::Error,
    },
    #[error("history {}: {source}", path.display())]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::output::ExportError),
    #[error("--report: {0}")]
    Report(String),
    #[error("--person {person:?} has no sessions in the history {}; {}", path.display(), people_in(people))]
    NoSuchPerson {
        path: PathBuf,
        person: String,
        people: Vec<String>,
    },
    #[error("no --history given and no home folder to keep it in (set $XDG_DATA_HOME or $HOME, or give --history FILE)")]
    NoHome,
}

fn people_in(people: &[String]) -> String {
    if people.is_empty() {
        return "it has no sessions yet".to_string();
    }
    let names: Vec<String> = people.iter().map(|p| format!("{p:?}")).collect();
    format!("the people in it: {}", names.join(", "))
}

/// `formcheck history`: the table on the terminal, and the progress page and rep CSV when asked.
/// A history that does not exist yet is said so, not created.
pub fn run_command(config: &HistoryCommand) -> Result<(), HistoryError> {
    if !config.path.exists() {
        println!(
            "no sessions recorded yet ({} does not exist; analyze and live record there)",
            config.path.display()
        );
        return Ok(());
    }
    let history = History::open_to_read(&config.path)?;
    if history.unread_log {
        // Read as immutable on a read-only disk: SQLite cannot apply its write-ahead log there.
        eprintln!(
            "formcheck: WARNING: {} is on a read-only disk with a write-ahead log SQLite cannot read there; the newest sessions may be missing (open it once where it can be written)",
            config.path.display()
        );
    }
    let person = config.person.as_deref();
    let sessions = history.sessions(person)?;
    if let (Some(person), true) = (person, sessions.is_empty()) {
        return Err(HistoryError::NoSuchPerson {
            path: config.path.clone(),
            person: person.to_string(),
            people: history.people()?,
        });
    }
    print!("{}", report::table(&sessions));
    let warnings = history.warnings(person)?;
    for (who, at) in &warnings {
        println!(
            "{} answered yes on {} to pain, sudden swelling or the knee giving way: see a doctor before training on",
            crate::terminal::escape_controls(who),
            date_of(*at)
        );
    }
    if let Some(path) = &config.csv {
        let bytes = report::csv(&history.reps(person)?)
            .map_err(|e| crate::output::ExportError::format(path, e))?;
        crate::output::atomic::write(path, &bytes)?;
        println!("reps: {}", path.display());
    }
    if let Some(path) = &config.report {
        let page = report::html(&sessions, &history.reps(person)?, &warnings)
            .map_err(HistoryError::Report)?;
        crate::output::atomic::write(path, page.as_bytes())?;
        println!("progress report: {}", path.display());
    }
    Ok(())
}

/// `$XDG_DATA_HOME/formcheck/history.sqlite`, else `~/.local/share/formcheck/history.sqlite`.
pub fn default_path() -> Result<PathBuf, HistoryError> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })
        .ok_or(HistoryError::NoHome)?;
    Ok(data.join(DEFAULT_FILE))
}

/// What one session was, besides its reps.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub person: String,
    pub source: String,
    /// A video's canonical path (its record is replaced when it is analysed again); `None` live.
    pub video_key: Option<String>,
    pub at_unix_s: i64,
    pub exercise: String,
    pub side: Option<String>,
    pub model: String,
    pub engine: String,
}

/// The side a session worked: the one leg every rep judged, "both" when reps judged both legs or
/// differ, `None` with no reps.
pub fn side_of<'r>(reps: impl IntoIterator<Item = &'r Rep>) -> Option<String> {
    let mut legs: Vec<Leg> = reps
        .into_iter()
        .flat_map(|r| r.legs.iter().copied())
        .collect();
    legs.sort_by_key(|l| l.name());
    legs.dedup();
    match legs.as_slice() {
        [] => None,
        [one] => Some(one.name().to_string()),
        _ => Some("both".to_string()),
    }
}

/// A session under way, for its reps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionId(i64);

/// The open database.
pub struct History {
    conn: Connection,
    path: PathBuf,
    /// Opened as immutable with a non-empty `-wal` beside it: what that log holds is not read.
    unread_log: bool,
}

impl HistoryError {
    /// Refused because another connection holds the database, for now.
    fn is_busy(&self) -> bool {
        let busy = |e: &rusqlite::Error| {
            matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        };
        match self {
            HistoryError::Open { source, .. } => busy(source),
            HistoryError::Migrate {
                source: rusqlite_migration::Error::RusqliteError { err, .. },
                ..
            } => busy(err),
            _ => false,
        }
    }
}

impl History {
    /// Opens (creating it and its folder if need be) and brings the schema up to date. A
    /// database from a newer formcheck is refused untouched.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::Folder {
                path: path.to_path_buf(),
                source,
            })?;
        }
        // Opening is retried while another formcheck holds the file: switching a new file to
        // WAL, or a migration's read turning into a write, can be refused at once as busy
        // (SQLite does not wait there, to avoid a deadlock).
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match History::open_once(path) {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    std::thread::sleep(OPEN_RETRY);
                }
                done => return done,
            }
        }
    }

    fn open_once(path: &Path) -> Result<History, HistoryError> {
        let open = |source| HistoryError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open)?;
        let found = user_version(&conn).map_err(open)?;
        refuse_newer(path, found)?;
        let known = migrations_count();
        // The migration takes the write lock when it begins, waiting for another writer, rather
        // than upgrading a read lock (which SQLite refuses at once when someone else writes).
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        if let Err(source) = migrations().to_latest(&mut conn) {
            // Two formchecks creating one new history at once both read version 0 before either
            // wrote; the second's CREATE then fails on the first's tables. If the first brought
            // the schema up to date, there is nothing left to do.
            if user_version(&conn).map_err(open)? != known {
                return Err(HistoryError::Migrate {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        Ok(History {
            conn,
            path: path.to_path_buf(),
            unread_log: false,
        })
    }

    /// Opens for reading only: listing and reports never write, so they work on a read-only
    /// filesystem or a database another user owns. A database from an older formcheck is
    /// brought up to date first, which needs write access once.
    pub fn open_to_read(path: &Path) -> Result<History, HistoryError> {
        let open = |source| HistoryError::Open {
            path: path.to_path_buf(),
            source,
        };
        let (conn, immutable) = read_only(path).map_err(open)?;
        let found = user_version(&conn).map_err(open)?;
        refuse_newer(path, found)?;
        if found < migrations_count() {
            drop(conn);
            return History::open(path);
        }
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let unread_log = immutable && std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
        Ok(History {
            conn,
            path: path.to_path_buf(),
            unread_log,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everyone with a session, by name.
    pub fn people(&self) -> Result<Vec<String>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT person FROM session ORDER BY person")
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(|e| self.sql(e))
    }

    fn sql(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// `info` with its person spelled as the history first recorded them: `Alice` joins `alice`.
    fn known_person(&self, info: &SessionInfo) -> Result<SessionInfo, HistoryError> {
        let known: Option<String> = self
            .conn
            .query_row(
                "SELECT person FROM session WHERE lower(person) = lower(?1) ORDER BY id LIMIT 1",
                params![info.person],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(SessionInfo {
            person: known.unwrap_or_else(|| info.person.clone()),
            ..info.clone()
        })
    }

    /// An analysed video and all its reps, in one transaction: replaces the same person's
    /// earlier record of the video (same canonical path) if there is one; another person's
    /// record of it stays theirs.
    pub fn record_video<'r>(
        &mut self,
        info: &SessionInfo,
        reps: impl IntoIterator<Item = &'r Rep>,
    ) -> Result<SessionId, HistoryError> {
        let path = self.path.clone();
        let sql = |source| HistoryError::Sql {
            path: path.clone(),
            source,
        };
        let info = &self.known_person(info)?;
        // Stored per person; a record made before that was keyed by the path alone.
        let key = info
            .video_key
            .as_ref()
            .map(|path| format!("{}\u{1f}{path}", info.person.to_lowercase()));
        let tx = self.conn.transaction().map_err(sql)?;
        if let (Some(key), Some(path)) = (&key, &info.video_key) {
            tx.execute(
                "DELETE FROM session WHERE video_key = ?1
                    OR (video_key = ?2 AND lower(person) = lower(?3))",
                params![key, path, info.person],
            )
            .map_err(sql)?;
        }
        let stored = SessionInfo {
            video_key: key,
            ..info.clone()
        };
        let id = insert_session(&tx, &stored, "video", Some("video analysed")).map_err(sql)?;
        for rep in reps {
            insert_rep(&tx, id, rep).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// A live session starts: its record, with no reps yet and no end.
    pub fn start_live(&mut self, info: &SessionInfo) -> Result<SessionId, HistoryError> {
        let info = self.known_person(info)?;
        insert_session(&self.conn, &info, "live", None).map_err(|e| self.sql(e))
    }

    /// One rep of a live session, committed (on disk) before this returns.
    pub fn add_rep(&mut self, id: SessionId, rep: &Rep) -> Result<(), HistoryError> {
        insert_rep(&self.conn, id, rep).map_err(|e| self.sql(e))
    }

    /// The answer to the end-of-session question, committed before this returns.
    pub fn record_check_in(
        &mut self,
        person: &str,
        at_unix_s: i64,
        answer: &str,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT INTO check_in (person, at_unix_s, answer) VALUES (?1, ?2, ?3)",
                params![person, at_unix_s, answer],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Every check-in answered yes: (person, when), oldest first; only `person`'s when given.
    pub fn warnings(&self, person: Option<&str>) -> Result<Vec<(String, i64)>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT person, at_unix_s FROM check_in
                 WHERE answer = 'yes' AND (?1 IS NULL OR lower(person) = lower(?1)) ORDER BY at_unix_s",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![person], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    pub fn end_live(&mut self, id: SessionId, ended: &str) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "UPDATE session SET ended = ?1 WHERE id = ?2",
                params![ended, id.0],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Every session, oldest first, with its counts; only `person`'s when given.
    pub fn sessions(&self, person: Option<&str>) -> Result<Vec<SessionRow>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.person, s.kind, s.source, s.at_unix_s, s.exercise, s.side,
                        s.model, s.engine, s.formcheck_version, s.ended,
                        COUNT(DISTINCT r.set_number), COUNT(r.number),
                        COALESCE(SUM(r.complete), 0),
                        COALESCE(SUM(r.complete AND r.valgus = 'fault'), 0),
                        COALESCE(SUM(r.complete AND r.valgus IN ('ok', 'fault', 'borderline')), 0),
                        COALESCE(SUM(r.complete AND r.knee_over_toe = 'fault'), 0),
                        COALESCE(SUM(r.complete AND r.knee_over_toe IN ('ok', 'fault', 'borderline')), 0),
                        COALESCE(SUM(r.valgus IS NOT NULL), 0),
                        COALESCE(SUM(r.knee_over_toe IS NOT NULL), 0),
                        COALESCE(SUM(r.complete AND r.valgus = 'borderline'), 0),
                        COALESCE(SUM(r.complete AND r.knee_over_toe = 'borderline'), 0)
                 FROM session s LEFT JOIN rep r ON r.session_id = s.id
                 WHERE ?1 IS NULL OR lower(s.person) = lower(?1)
                 GROUP BY s.id ORDER BY s.at_unix_s, s.id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![person], |r| {
                Ok(SessionRow {
                    id: r.get(0)?,
                    person: r.get(1)?,
                    kind: r.get(2)?,
                    source: r.get(3)?,
                    at_unix_s: r.get(4)?,
                    exercise: r.get(5)?,
                    side: r.get(6)?,
                    model: r.get(7)?,
                    engine: r.get(8)?,
                    formcheck_version: r.get(9)?,
                    ended: r.get(10)?,
                    sets: r.get(11)?,
                    reps: r.get(12)?,
                    complete_reps: r.get(13)?,
                    valgus_faults: r.get(14)?,
                    valgus_judged: r.get(15)?,
                    knee_over_toe_faults: r.get(16)?,
                    knee_over_toe_judged: r.get(17)?,
                    valgus_assessed: r.get(18)?,
                    knee_over_toe_assessed: r.get(19)?,
                    valgus_borderline: r.get(20)?,
                    knee_over_toe_borderline: r.get(21)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Every rep, in session then rep order; only `person`'s when given.
    pub fn reps(&self, person: Option<&str>) -> Result<Vec<RepRow>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.person, s.at_unix_s, s.exercise, r.set_number, r.number,
                        r.legs, r.complete, r.outcome, r.valgus, r.knee_over_toe,
                        r.left_fppa_deg, r.right_fppa_deg, r.record
                 FROM rep r JOIN session s ON s.id = r.session_id
                 WHERE ?1 IS NULL OR lower(s.person) = lower(?1)
                 ORDER BY s.at_unix_s, s.id, r.number",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![person], |r| {
                Ok(RepRow {
                    session_id: r.get(0)?,
                    person: r.get(1)?,
                    at_unix_s: r.get(2)?,
                    exercise: r.get(3)?,
                    set: r.get(4)?,
                    number: r.get(5)?,
                    legs: r.get(6)?,
                    complete: r.get(7)?,
                    outcome: r.get(8)?,
                    valgus: r.get(9)?,
                    knee_over_toe: r.get(10)?,
                    left_fppa_deg: r.get(11)?,
                    right_fppa_deg: r.get(12)?,
                    record: r.get(13)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }
}

/// A database from a newer formcheck is refused, untouched.
fn refuse_newer(path: &Path, found: usize) -> Result<(), HistoryError> {
    let known = migrations_count();
    if found > known {
        return Err(HistoryError::Newer {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(())
}

fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map(|v| v.max(0) as usize)
}

/// A read-only connection. A WAL database whose folder cannot be written (a read-only
/// filesystem) cannot make its shared-memory file, so it is then read as immutable: nothing can
/// be writing to it there.
fn read_only(path: &Path) -> rusqlite::Result<(Connection, bool)> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let plain = Connection::open_with_flags(path, flags).and_then(|conn| {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        user_version(&conn)?;
        Ok(conn)
    });
    let first = match plain {
        Ok(conn) => return Ok((conn, false)),
        Err(e) => e,
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let escaped = absolute
        .to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let uri = format!("file:{escaped}?immutable=1");
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
        .and_then(|conn| {
            user_version(&conn)?;
            Ok((conn, true))
        })
        .map_err(|_| first)
}

fn migrations_count() -> usize {
    // The number of steps in `migrations()`: the user_version it brings a database to.
    let mut probe = match Connection::open_in_memory() {
        Ok(c) => c,
        Err(_) => return usize::MAX,
    };
    if migrations().to_latest(&mut probe).is_err() {
        return usize::MAX;
    }
    probe
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map(|v| v.max(0) as usize)
        .unwrap_or(usize::MAX)
}

fn insert_session(
    conn: &Connection,
    info: &SessionInfo,
    kind: &str,
    ended: Option<&str>,
) -> Result<SessionId, rusqlite::Error> {
    conn.execute(
        "INSERT INTO session (person, kind, source, video_key, at_unix_s, exercise, side, model,
                              engine, formcheck_version, ended)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            info.person,
            kind,
            info.source,
            info.video_key,
            info.at_unix_s,
            info.exercise,
            info.side,
            info.model,
            info.engine,
            env!("CARGO_PKG_VERSION"),
            ended,
        ],
    )?;
    Ok(SessionId(conn.last_insert_rowid()))
}

fn concern_status(rep: &Rep, concern: Concern) -> Option<&'static str> {
    rep.concerns
        .iter()
        .find(|c| c.concern == concern)
        .map(|c| c.status.key())
}

fn insert_rep(conn: &Connection, id: SessionId, rep: &Rep) -> Result<(), rusqlite::Error> {
    let fppa = |leg: Leg| rep.peak(leg).and_then(|p| p.fppa_deg.get());
    let legs: Vec<&str> = rep.legs.iter().map(|l| l.name()).collect();
    let record = serde_json::to_string(&RepRecord::new(rep))
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let outcome = rep.outcome.key();
    conn.execute(
        "INSERT INTO rep (session_id, number, set_number, legs, complete, outcome, valgus,
                          knee_over_toe, left_fppa_deg, right_fppa_deg, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id.0,
            rep.number,
            rep.set,
            legs.join(","),
            rep.complete,
            outcome,
            concern_status(rep, Concern::Valgus),
            concern_status(rep, Concern::KneeOverToe),
            fppa(Leg::Left),
            fppa(Leg::Right),
            record,
        ],
    )?;
    Ok(())
}

/// One session with its counts (complete reps only for the fault shares).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id: i64,
    pub person: String,
    pub kind: String,
    pub source: String,
    pub at_unix_s: i64,
    pub exercise: String,
    pub side: Option<String>,
    pub model: String,
    pub engine: String,
    pub formcheck_version: String,
    pub ended: Option<String>,
    pub sets: i64,
    pub reps: i64,
    pub complete_reps: i64,
    pub valgus_faults: i64,
    /// Complete reps judged ok, a fault or borderline.
    pub valgus_judged: i64,
    pub knee_over_toe_faults: i64,
    pub knee_over_toe_judged: i64,
    /// Of the judged, those within a measure's error bound of its limit.
    pub valgus_borderline: i64,
    pub knee_over_toe_borderline: i64,
    /// Reps whose exercise judges the concern at all (judged or not).
    pub valgus_assessed: i64,
    pub knee_over_toe_assessed: i64,
}

/// One rep as the history keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RepRow {
    pub session_id: i64,
    pub person: String,
    pub at_unix_s: i64,
    pub exercise: String,
    pub set: i64,
    pub number: i64,
    pub legs: String,
    pub complete: bool,
    pub outcome: String,
    pub valgus: Option<String>,
    pub knee_over_toe: Option<String>,
    pub left_fppa_deg: Option<f64>,
    pub right_fppa_deg: Option<f64>,
    pub record: String,
}

/// A day as YYYY-MM-DD (UTC) from seconds since the epoch (civil-from-days, Howard Hinnant's
/// algorithm), so the history needs no date crate.
pub fn date_of(unix_s: i64) -> String {
    let (y, m, d) = civil(unix_s.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The time of day of `unix_s`, UTC, as HH:MM.
pub fn time_of(unix_s: i64) -> String {
    let seconds = unix_s.rem_euclid(86_400);
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// The Monday that starts the (ISO) week of `unix_s`, as YYYY-MM-DD.
pub fn week_of(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    // 1970-01-01 was a Thursday: days since the Monday before it.
    let monday = days - (days + 3).rem_euclid(7);
    date_of(monday * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_weeks_in_utc() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        // Thursday 2026-12-03 belongs to the week of Monday 2026-11-30.
        assert_eq!(date_of(1_796_256_000), "2026-12-03");
        assert_eq!(week_of(1_796_256_000), "2026-11-30");
        assert_eq!(week_of(1_795_996_800), "2026-11-30", "the Monday itself");
        assert_eq!(week_of(-1), "1969-12-29");
    }

    /// tests/history.rs's two writers failed now and then: both read version 0 of the new file,
    /// and the second's CREATE TABLE met the first's tables.
    #[test]
    fn several_formchecks_creating_one_new_history_at_once_all_open_it() {
        for round in 0..50 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("h.sqlite");
            let start = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                let opened: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            History::open(&path).map(|_| ()).map_err(|e| e.to_string())
                        })
                    })
                    .collect();
                for o in opened {
                    assert_eq!(o.join().unwrap(), Ok(()), "round {round}");
                }
            });
        }
    }

    #[test]
    fn a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        History::open(&path).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = History::open(&path).err().unwrap().to_string();
        assert!(
            err.contains("newer formcheck") && err.contains("99"),
            "{err}"
        );
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }
}
