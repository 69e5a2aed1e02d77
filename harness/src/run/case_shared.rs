//! A case's fields as every report of it carries them, made once when the
//! case loads and shared (`Arc`) by each run's [`super::CaseReport`]
//! rather than copied into it (issue #17 item 3).

use super::case::Case;
use std::sync::Arc;

/// The case's id, path text, title and `rfc`/`covers`/`tags` lists, shared.
#[derive(Clone, Debug, Default)]
pub struct Shared {
    /// [`Case::id`].
    pub id: Arc<str>,
    /// The path as reports write it (`to_string_lossy`).
    pub path: Arc<str>,
    /// `//! title:`.
    pub title: Option<Arc<str>>,
    /// `//! rfc:`.
    pub rfc: Arc<[String]>,
    /// `//! covers:`.
    pub covers: Arc<[String]>,
    /// `//! tags:`.
    pub tags: Arc<[String]>,
}

impl Shared {
    /// The fields of `case` as it is now.
    pub fn of(case: &Case) -> Shared {
        Shared {
            id: case.id.as_str().into(),
            path: case.path.to_string_lossy().as_ref().into(),
            title: case.meta.title.as_deref().map(Arc::from),
            rfc: case.meta.rfc.as_slice().into(),
            covers: case.meta.covers.as_slice().into(),
            tags: case.meta.tags.as_slice().into(),
        }
    }

    /// These fields for a run's report of `case`, as it loaded: a run
    /// takes them without reading the case's own (which no caller changes
    /// after load; debug builds check that it did not).
    pub fn for_run(&self, case: &Case) -> Shared {
        debug_assert!(
            self.for_case(case).same_as(self),
            "case {} changed after it loaded",
            case.id
        );
        self.clone()
    }

    fn same_as(&self, other: &Shared) -> bool {
        Arc::ptr_eq(&self.id, &other.id)
            && self.title.as_ref().map(Arc::as_ptr) == other.title.as_ref().map(Arc::as_ptr)
            && Arc::ptr_eq(&self.rfc, &other.rfc)
            && Arc::ptr_eq(&self.covers, &other.covers)
            && Arc::ptr_eq(&self.tags, &other.tags)
    }

    /// These fields for a report of `case`: the kept ones where the case
    /// still says the same (a comparison, no allocation), else fresh ones
    /// (a caller changed the case after it loaded).
    pub fn for_case(&self, case: &Case) -> Shared {
        Shared {
            id: same_str(&self.id, &case.id),
            path: self.path.clone(),
            title: match (&self.title, &case.meta.title) {
                (Some(a), Some(b)) => Some(same_str(a, b)),
                (_, b) => b.as_deref().map(Arc::from),
            },
            rfc: same_list(&self.rfc, &case.meta.rfc),
            covers: same_list(&self.covers, &case.meta.covers),
            tags: same_list(&self.tags, &case.meta.tags),
        }
    }
}

fn same_str(kept: &Arc<str>, now: &str) -> Arc<str> {
    if **kept == *now {
        kept.clone()
    } else {
        now.into()
    }
}

fn same_list(kept: &Arc<[String]>, now: &[String]) -> Arc<[String]> {
    if **kept == *now {
        kept.clone()
    } else {
        now.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn case() -> Case {
        let src = "//! title: t\n//! service: silent\n//! tags: a, b\n0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 1 <...>\n";
        crate::run::case::load_source(Path::new("cases/x/y.pkt"), src.into()).expect("loads")
    }

    #[test]
    fn a_run_shares_the_loaded_fields_and_sees_a_changed_case() {
        let mut c = case();
        let s = c.derived.shared.for_case(&c);
        assert!(Arc::ptr_eq(&s.id, &c.derived.shared.id));
        assert!(Arc::ptr_eq(&s.tags, &c.derived.shared.tags));
        assert_eq!((&*s.id, &*s.path), ("x/y", "cases/x/y.pkt"));
        assert_eq!(s.tags.to_vec(), ["a", "b"]);
        c.id = "x/z".into();
        c.meta.tags.push("c".into());
        c.meta.title = None;
        let s = c.derived.shared.for_case(&c);
        assert_eq!(&*s.id, "x/z");
        assert_eq!(s.tags.to_vec(), ["a", "b", "c"]);
        assert_eq!(s.title, None);
    }
}
