//! One shard of a batch, for schedulers that start one task per shard (Slurm job arrays,
//! Kubernetes Indexed Jobs). The videos are sorted by their path relative to the input they came
//! from and dealt out round-robin, so every task of one command line agrees on the split without
//! talking to the others, and a video's output folder never depends on the split: a rerun with
//! another shard count resumes through the completion markers.

/// Shard `index` of `count`, counted from 0 (as Slurm's task id less its minimum and Kubernetes'
/// completion index are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// `--shard` before the scheduler's variables are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    /// From the scheduler's environment.
    Auto,
    Fixed(Shard),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("'{0}' is not auto or I/N (shard I of N, from 0), e.g. --shard 0/4")]
    Syntax(String),
    #[error("{index}/{count}: the shard count must be at least 1")]
    NoShards { index: usize, count: usize },
    #[error("{index}/{count}: shards of {count} are numbered 0 to {}", count - 1)]
    OutOfRange { index: usize, count: usize },
    #[error("auto: no scheduler variables; set SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (a Slurm job array) or JOB_COMPLETION_INDEX with --shard-count N (a Kubernetes Indexed Job), or give --shard I/N")]
    NoScheduler,
    #[error("auto: {present} is set but {missing} is not")]
    Missing {
        present: &'static str,
        missing: &'static str,
    },
    #[error("auto: {name}={value} is not a whole number")]
    NotANumber { name: &'static str, value: String },
    #[error("auto: {name}={value} is below SLURM_ARRAY_TASK_MIN={min}")]
    BelowMin {
        name: &'static str,
        value: usize,
        min: usize,
    },
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Shard, ShardError> {
        if count == 0 {
            Err(ShardError::NoShards { index, count })
        } else if index >= count {
            Err(ShardError::OutOfRange { index, count })
        } else {
            Ok(Shard { index, count })
        }
    }

    /// Whether the video at `position` of the sorted list is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

pub fn parse(text: &str) -> Result<ShardSpec, ShardError> {
    if text == "auto" {
        return Ok(ShardSpec::Auto);
    }
    let syntax = || ShardError::Syntax(text.to_string());
    let (index, count) = text.split_once('/').ok_or_else(syntax)?;
    let index = index.trim().parse().map_err(|_| syntax())?;
    let count = count.trim().parse().map_err(|_| syntax())?;
    Shard::new(index, count).map(ShardSpec::Fixed)
}

/// This task's shard from the scheduler's variables (`env` looks one up): Slurm's array first,
/// then Kubernetes' completion index, whose count the job spec knows but does not export, so it
/// comes from `--shard-count`.
pub fn from_scheduler(
    shard_count: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Shard, ShardError> {
    let number = |name: &'static str| -> Result<Option<usize>, ShardError> {
        match env(name) {
            None => Ok(None),
            Some(value) => value
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ShardError::NotANumber { name, value }),
        }
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(ShardError::Missing {
            present: "SLURM_ARRAY_TASK_ID",
            missing: "SLURM_ARRAY_TASK_COUNT",
        })?;
        // An array need not start at 0 (--array=1-8) nor step by 1 (--array=0-14:2).
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let offset = id.checked_sub(min).ok_or(ShardError::BelowMin {
            name: "SLURM_ARRAY_TASK_ID",
            value: id,
            min,
        })?;
        return Shard::new(offset / step, count);
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let count = shard_count.ok_or(ShardError::Missing {
            present: "JOB_COMPLETION_INDEX",
            missing: "--shard-count",
        })?;
        return Shard::new(index, count);
    }
    Err(ShardError::NoScheduler)
}

/// The positions, in `keys`' order, of the items shard `shard` takes: `keys` sorted, then dealt
/// round-robin. Equal keys keep their order.
pub fn select(keys: &[&str], shard: Shard) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(keys[b]));
    let mut taken: Vec<usize> = order
        .into_iter()
        .enumerate()
        .filter(|&(position, _)| shard.takes(position))
        .map(|(_, item)| item)
        .collect();
    taken.sort_unstable();
    taken
}

/// `--shard` and `--shard-count`, with the scheduler's variables read now for `auto` (`env`
/// looks one up), so a task started with the wrong ones stops before any video.
pub fn shard_settings(
    spec: Option<&str>,
    shard_count: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, super::ConfigError> {
    let as_flag = |e: ShardError| super::flag_error("shard", e.to_string());
    let spec = match spec {
        Some(text) => Some(parse(text).map_err(as_flag)?),
        None => None,
    };
    match (spec, shard_count) {
        (_, Some(0)) => Err(super::flag_error("shard-count", "must be at least 1")),
        (None, Some(_)) => Err(super::flag_error("shard-count", "goes with --shard auto")),
        (None, None) => Ok(None),
        (Some(ShardSpec::Auto), count) => from_scheduler(count, env).map(Some).map_err(as_flag),
        (Some(ShardSpec::Fixed(fixed)), Some(count)) if count != fixed.count => {
            Err(super::flag_error(
                "shard-count",
                format!("{count} contradicts --shard {fixed}"),
            ))
        }
        (Some(ShardSpec::Fixed(fixed)), _) => Ok(Some(fixed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shard_flags_out_of_range_or_empty_are_refused() {
        assert_eq!(
            parse("1/3"),
            Ok(ShardSpec::Fixed(Shard { index: 1, count: 3 }))
        );
        assert_eq!(parse("auto"), Ok(ShardSpec::Auto));
        let message = |text| parse(text).unwrap_err().to_string();
        assert_eq!(message("3/2"), "3/2: shards of 2 are numbered 0 to 1");
        assert_eq!(message("0/0"), "0/0: the shard count must be at least 1");
        for bad in ["2", "a/b", "-1/3", "1/3/4", ""] {
            assert!(matches!(parse(bad), Err(ShardError::Syntax(_))), "{bad}");
        }
    }

    #[test]
    fn slurm_array_task_less_its_minimum_over_its_step() {
        let shard = from_scheduler(
            None,
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
            ]),
        );
        assert_eq!(shard, Ok(Shard { index: 6, count: 8 }));
        let stepped = from_scheduler(
            None,
            env(&[
                ("SLURM_ARRAY_TASK_ID", "14"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
            ]),
        );
        assert_eq!(stepped, Ok(Shard { index: 7, count: 8 }));
        // Slurm comes first: a Kubernetes index beside it is ignored.
        let both = from_scheduler(
            Some(3),
            env(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("JOB_COMPLETION_INDEX", "2"),
            ]),
        );
        assert_eq!(both, Ok(Shard { index: 0, count: 2 }));
    }

    #[test]
    fn kubernetes_completion_index_needs_the_shard_count() {
        let vars = [("JOB_COMPLETION_INDEX", "4")];
        assert_eq!(
            from_scheduler(Some(5), env(&vars)),
            Ok(Shard { index: 4, count: 5 })
        );
        assert_eq!(
            from_scheduler(None, env(&vars)).unwrap_err().to_string(),
            "auto: JOB_COMPLETION_INDEX is set but --shard-count is not"
        );
        assert_eq!(
            from_scheduler(Some(4), env(&vars)).unwrap_err().to_string(),
            "4/4: shards of 4 are numbered 0 to 3"
        );
    }

    #[test]
    fn auto_without_a_scheduler_names_the_variables() {
        let message = from_scheduler(Some(2), env(&[])).unwrap_err().to_string();
        for name in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
            "--shard-count",
        ] {
            assert!(message.contains(name), "{message}");
        }
        let half = from_scheduler(None, env(&[("SLURM_ARRAY_TASK_ID", "0")]));
        assert_eq!(
            half.unwrap_err().to_string(),
            "auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"
        );
        let garbled = from_scheduler(None, env(&[("JOB_COMPLETION_INDEX", "x")]));
        assert_eq!(
            garbled.unwrap_err().to_string(),
            "auto: JOB_COMPLETION_INDEX=x is not a whole number"
        );
    }

    proptest! {
        /// Every video falls in exactly one shard, shard sizes differ by at most one, and the
        /// split does not depend on the order the paths were listed in.
        #[test]
        fn every_video_in_exactly_one_shard_of_near_equal_size(
            count in 1usize..=64,
            paths in proptest::collection::btree_set("[a-z]{1,3}(/[a-z]{1,3}){0,2}\\.mp4", 0..200),
            seed in any::<u64>(),
        ) {
            let sorted: Vec<&str> = paths.iter().map(String::as_str).collect();
            let mut listed = sorted.clone();
            // Any order of listing.
            let len = listed.len().max(1);
            listed.rotate_left((seed as usize) % len);
            if seed % 2 == 1 {
                listed.reverse();
            }
            let mut owner: std::collections::BTreeMap<&str, usize> = Default::default();
            let mut sizes = Vec::new();
            for index in 0..count {
                let shard = Shard::new(index, count).unwrap();
                let taken = select(&listed, shard);
                sizes.push(taken.len());
                for position in taken {
                    let previous = owner.insert(listed[position], index);
                    prop_assert!(previous.is_none(), "{} in shards {previous:?} and {index}", listed[position]);
                }
                // The same shard of the sorted listing holds the same paths.
                let mut from_sorted: Vec<&str> =
                    select(&sorted, shard).into_iter().map(|p| sorted[p]).collect();
                let mut from_listed: Vec<&str> =
                    select(&listed, shard).into_iter().map(|p| listed[p]).collect();
                from_sorted.sort_unstable();
                from_listed.sort_unstable();
                prop_assert_eq!(from_sorted, from_listed);
            }
            prop_assert_eq!(owner.len(), paths.len());
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(max - min <= 1, "sizes {sizes:?}");
        }
    }
}
