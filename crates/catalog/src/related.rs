//! Related rules: rules in any language that share behaviour.
//!
//! Every rule's indicators become behaviour keys ([`crate::behaviour`]): the
//! same executable, flag, registry key, API call or sign-in property, in a
//! form every language shares. Two rules are related when they share a key,
//! and ranked by a similarity score:
//!
//! - each key weighs by its rarity in the catalog (a key shared by three
//!   rules says far more than one shared by nine hundred): its inverse
//!   document frequency;
//! - a key a rule only *excludes* weighs less than one it selects on, and
//!   keys shared only as exclusions relate nothing on their own;
//! - a key one rule selects on and the other excludes weighs half as much
//!   as one both treat alike: a rule for LiveKD's driver written by
//!   `livekd.exe` is the opposite of one for the driver written by anything
//!   else;
//! - a key read on two different kinds of log source weighs half (the same
//!   kind on two operating systems, `windows.process_creation` and
//!   `linux.process_creation`, is one kind);
//! - the score is the mean of two measures: how much of *this* rule's
//!   weighted keys the other rule covers (what an engineer asks: who else
//!   detects this?), and the cosine of the two weighted key vectors (which
//!   also counts what the other rule adds), so a rule sharing one of its
//!   forty keys ranks below one sharing both of its two; shared ATT&CK
//!   techniques and a shared log source add a little, to order rules that
//!   share the same keys.
//!
//! Rules that are the same detection (every key of each is a key of the
//! other, in the same role: the same rule in another language, a converted
//! copy) come first; among them, those sharing this rule's ATT&CK
//! techniques, then the documented ones (the original before its copies),
//! whatever the small bonuses say. Among other rules of equal score the
//! documented one comes first too.
//!
//! Copies of one detection that say nothing about themselves (no ATT&CK
//! mapping, description, authors or references: a query cut from its rule,
//! the same rule converted into several languages) take one place in the
//! list: undocumented rules whose keys are exactly the same, in the same
//! roles, are folded into the first of them ([`Related::copies`]). A
//! documented rule is never folded: two authors' rules that happen to match
//! the same keys are two entries.
//!
//! Rules with nothing finer in common than their log source are a separate
//! group, counted after the ranked list and never mixed into it; within it,
//! rules sharing an ATT&CK technique come first, then rules in other
//! languages. A rule naming more log sources than any rule reads (an ES|QL
//! `from *`) is in no such group and has none.

use crate::behaviour::RuleKey;
use crate::entry::Entry;
use ruledex_behaviour::Key;
use std::collections::HashMap;

/// Weight of a key the rule excludes, relative to one it selects on.
const EXCLUSION_WEIGHT: f32 = 0.35;
/// Weight of a key one rule selects on and the other only excludes,
/// relative to one both rules treat alike.
const OPPOSITE_ROLE_WEIGHT: f32 = 0.5;
/// Weight of a key shared across two different log sources.
const OTHER_LOGSOURCE_WEIGHT: f32 = 0.5;
/// Score added per shared ATT&CK technique (at most two count).
const TECHNIQUE_BONUS: f64 = 0.04;
/// Score added when the rules share a log source.
const LOGSOURCE_BONUS: f64 = 0.02;
/// Similarity (before the bonuses) from which two rules are the same
/// detection: their weighted key vectors are the same.
const SAME_DETECTION: f64 = 0.999;

/// How two rules are related.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelatedRank {
    /// They share an operation (an API call, a cloud action) and maybe more.
    SameOperation,
    /// They share behaviour keys finer than their log source.
    SharedBehaviour,
    /// They only read the same log source.
    SameLogSource,
}

impl RelatedRank {
    /// The id used in JSON (`same_operation`, `shared_behaviour`,
    /// `same_logsource`).
    pub fn id(self) -> &'static str {
        match self {
            RelatedRank::SameOperation => "same_operation",
            RelatedRank::SharedBehaviour => "shared_behaviour",
            RelatedRank::SameLogSource => "same_logsource",
        }
    }
}

/// One key two rules share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharedKey {
    /// The key (see [`RelatedIndex::key`]).
    pub key: u32,
    /// Which of this rule's keys ([`RelatedIndex::rule_keys`]) it is.
    pub here: u32,
    /// Which of the other rule's keys it is.
    pub there: u32,
    /// Its part of the score.
    pub weight: f32,
}

/// One related rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    /// Position of the related rule in the catalog.
    pub position: usize,
    /// How the rules are related.
    pub rank: RelatedRank,
    /// The similarity score (0 for rules that only share a log source;
    /// about 1 for rules matching the same keys).
    pub score: f64,
    /// The keys both rules have, strongest first (empty for rules that only
    /// share a log source).
    pub shared: Vec<SharedKey>,
    /// True when the two rules are the same detection: every key of each is
    /// a key of the other, in the same role (the same rule in another
    /// language, a converted copy).
    pub same_detection: bool,
    /// Other undocumented rules with exactly this rule's keys, in the same
    /// roles, folded into this entry (catalog positions, in rank order):
    /// copies of one detection take one place in the list. Empty unless this
    /// rule is undocumented too.
    pub copies: Vec<usize>,
}

impl Related {
    /// Number of rules this entry stands for: itself and its copies.
    pub fn rules(&self) -> usize {
        1 + self.copies.len()
    }
}

/// The rules related to one rule: ranked by shared behaviour, then those
/// that only share its log source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RelatedList {
    /// Rules sharing behaviour keys, strongest first.
    pub behaviour: Vec<Related>,
    /// Rules that only read the same log source (in catalog order): a group
    /// of its own, never ranked among the others.
    pub same_logsource: Vec<usize>,
}

impl RelatedList {
    /// Every related rule: the ranked ones, then the same-log-source group
    /// (rank [`RelatedRank::SameLogSource`], score 0).
    pub fn all(&self) -> impl Iterator<Item = Related> + '_ {
        self.behaviour
            .iter()
            .cloned()
            .chain(self.same_logsource.iter().map(|&position| Related {
                position,
                rank: RelatedRank::SameLogSource,
                score: 0.0,
                shared: Vec::new(),
                same_detection: false,
                copies: Vec::new(),
            }))
    }

    /// Number of rules sharing behaviour, copies included.
    pub fn behaviour_rules(&self) -> usize {
        self.behaviour.iter().map(Related::rules).sum()
    }

    /// Number of entries of [`RelatedList::all`]: related rules, both
    /// groups, a rule and its copies counting once.
    pub fn len(&self) -> usize {
        self.behaviour.len() + self.same_logsource.len()
    }

    /// Number of related rules, both groups, copies included.
    pub fn rules(&self) -> usize {
        self.behaviour_rules() + self.same_logsource.len()
    }

    /// True when no rule is related.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One rule's key as the index weighs it.
#[derive(Clone, Copy, Debug)]
struct Weighted {
    key: u32,
    /// Index of the strongest of the rule's [`RuleKey`]s with this key.
    rule_key: u32,
    /// 1 for a selection, [`EXCLUSION_WEIGHT`] for an exclusion only.
    role: f32,
    logsource: u32,
    /// The slot of the first key of its group of alternatives (see
    /// [`RuleKey::alternative_of`]): the readings of one value on each log
    /// source a rule may read count once. Other keys are groups of their
    /// own.
    group: u32,
    /// The largest squared weight in its group: what the group adds to the
    /// rule's norm when none of its keys is shared.
    group_weight: f32,
}

/// One key two rules share, as the score counts it.
#[derive(Clone, Copy, Debug)]
struct Hit {
    /// This rule's group of the key, and the other rule's.
    group: u32,
    their_group: u32,
    /// Its part of the dot product, and of this rule's weight it covers.
    dot: f32,
    covered: f32,
    /// The squared weight of the shared key in each rule, and of the
    /// strongest key of its group.
    mine: f32,
    my_group: f32,
    theirs: f32,
    their_group_weight: f32,
}

/// Behaviour keys of every rule, and the rules holding each key.
#[derive(Default)]
pub struct RelatedIndex {
    keys: Vec<Key>,
    rule_keys: Vec<Vec<RuleKey>>,
    vectors: Vec<Vec<Weighted>>,
    norms: Vec<f32>,
    idf: Vec<f32>,
    /// Key → (position, index into that rule's vector).
    postings: Vec<Vec<(u32, u32)>>,
    techniques: Vec<Vec<String>>,
    logsources: Vec<Vec<String>>,
    /// Per undocumented rule, its keys and roles, sorted: what its copies
    /// share exactly (`None` for documented rules, which are never folded).
    copy_signatures: Vec<Option<CopySignature>>,
    by_logsource: HashMap<String, Vec<usize>>,
    by_operation: HashMap<(String, String), Vec<usize>>,
}

/// A rule's keys, each with whether the rule selects on it, sorted: two
/// undocumented rules with the same signature are copies of one detection.
type CopySignature = Box<[(u32, bool)]>;

/// No log source.
const NO_LOGSOURCE: u32 = u32::MAX;

impl RelatedIndex {
    /// Index `entries` whose behaviour keys are `rule_keys` (one list per
    /// entry, see [`crate::behaviour::rule_keys`]).
    pub fn build(entries: &[Entry], rule_keys: Vec<Vec<RuleKey>>) -> Self {
        let mut index = RelatedIndex {
            rule_keys,
            ..RelatedIndex::default()
        };
        let mut ids: HashMap<Key, u32> = HashMap::new();
        let mut logsource_ids: HashMap<String, u32> = HashMap::new();
        for (position, keys) in index.rule_keys.iter().enumerate() {
            let mut vector: Vec<Weighted> = Vec::with_capacity(keys.len());
            for (i, rule_key) in keys.iter().enumerate() {
                let next = ids.len() as u32;
                let id = *ids.entry(rule_key.key.clone()).or_insert_with(|| {
                    index.keys.push(rule_key.key.clone());
                    next
                });
                let role = if rule_key.exclusion {
                    EXCLUSION_WEIGHT
                } else {
                    1.0
                };
                let next_ls = logsource_ids.len() as u32;
                let logsource = rule_key.logsource.as_deref().map_or(NO_LOGSOURCE, |l| {
                    *logsource_ids
                        .entry(logsource_kind(l).to_string())
                        .or_insert(next_ls)
                });
                match vector.iter_mut().find(|w| w.key == id) {
                    Some(w) if role > w.role => {
                        w.role = role;
                        w.rule_key = i as u32;
                    }
                    Some(_) => {}
                    None => vector.push(Weighted {
                        key: id,
                        rule_key: i as u32,
                        role,
                        logsource,
                        group: vector.len() as u32,
                        group_weight: 0.0,
                    }),
                }
            }
            // The readings of one value on the several log sources a rule
            // may read are one fact: their keys form a group, named by the
            // slot of its first key.
            let mut group_of_root: HashMap<usize, u32> = HashMap::new();
            for (slot, w) in vector.iter_mut().enumerate() {
                let rule_key = w.rule_key as usize;
                let root = keys[rule_key].alternative_of.unwrap_or(rule_key);
                w.group = *group_of_root.entry(root).or_insert(slot as u32);
            }
            let _ = position;
            index.vectors.push(vector);
        }
        index.postings = vec![Vec::new(); index.keys.len()];
        for (position, vector) in index.vectors.iter().enumerate() {
            for (slot, w) in vector.iter().enumerate() {
                index.postings[w.key as usize].push((position as u32, slot as u32));
            }
        }
        let rules = entries.len().max(1) as f32;
        index.idf = index
            .postings
            .iter()
            .map(|p| (1.0 + rules / p.len().max(1) as f32).ln())
            .collect();
        // Groups are named by their first slot.
        for vector in &mut index.vectors {
            let mut strongest = vec![0.0f32; vector.len()];
            for w in vector.iter() {
                let squared = (index.idf[w.key as usize] * w.role).powi(2);
                let best = &mut strongest[w.group as usize];
                *best = best.max(squared);
            }
            for w in vector.iter_mut() {
                w.group_weight = strongest[w.group as usize];
            }
        }
        index.norms = index
            .vectors
            .iter()
            .map(|v| {
                v.iter()
                    .enumerate()
                    .filter(|(slot, w)| *slot as u32 == w.group)
                    .map(|(_, w)| w.group_weight)
                    .sum::<f32>()
                    .sqrt()
            })
            .collect();
        for (position, entry) in entries.iter().enumerate() {
            let mut techniques: Vec<String> = entry
                .cells
                .iter()
                .map(|c| {
                    c.subtechnique
                        .clone()
                        .unwrap_or_else(|| c.technique.clone())
                })
                .collect();
            techniques.sort();
            techniques.dedup();
            index.techniques.push(techniques);
            index.logsources.push(entry.logsources.clone());
            let signature = (documentation(entry) == 0).then(|| {
                let mut keys: Vec<(u32, bool)> = index.vectors[position]
                    .iter()
                    .map(|w| (w.key, w.role == 1.0))
                    .collect();
                keys.sort_unstable();
                keys.into_boxed_slice()
            });
            index.copy_signatures.push(signature);
            for action in &entry.actions {
                let list = index
                    .by_logsource
                    .entry(action.logsource.clone())
                    .or_default();
                if list.last() != Some(&position) {
                    list.push(position);
                }
                if let Some(op) = &action.operation {
                    let list = index
                        .by_operation
                        .entry((action.logsource.clone(), op.clone()))
                        .or_default();
                    if list.last() != Some(&position) {
                        list.push(position);
                    }
                }
            }
        }
        index
    }

    /// The key with id `id` (ids are those of [`SharedKey::key`]).
    pub fn key(&self, id: u32) -> Option<&Key> {
        self.keys.get(id as usize)
    }

    /// The behaviour keys of the rule at `position`.
    pub fn rule_keys(&self, position: usize) -> &[RuleKey] {
        self.rule_keys.get(position).map_or(&[], Vec::as_slice)
    }

    /// How many rules hold key `id`.
    pub fn key_rules(&self, id: u32) -> usize {
        self.postings.get(id as usize).map_or(0, Vec::len)
    }

    /// Number of distinct keys in the catalog.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Rules (positions) filtering operation `operation` on `logsource`.
    pub fn with_operation(&self, logsource: &str, operation: &str) -> &[usize] {
        self.by_operation
            .get(&(logsource.to_string(), operation.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Rules (positions) reading `logsource`.
    pub fn with_logsource(&self, logsource: &str) -> &[usize] {
        self.by_logsource.get(logsource).map_or(&[], Vec::as_slice)
    }

    /// Every operation seen on `logsource`, with its rules.
    pub fn operations(&self, logsource: &str) -> Vec<(&str, &[usize])> {
        let mut ops: Vec<(&str, &[usize])> = self
            .by_operation
            .iter()
            .filter(|((ls, _), _)| ls == logsource)
            .map(|((_, op), rules)| (op.as_str(), rules.as_slice()))
            .collect();
        ops.sort();
        ops
    }

    /// The rules related to the rule at `position` (see the module
    /// documentation for the score). Nothing is cut: pages decide how many
    /// to show and say how many more there are.
    pub fn related(&self, entries: &[Entry], position: usize) -> RelatedList {
        let Some(mine) = self.vectors.get(position) else {
            return RelatedList::default();
        };
        // Accumulate dot products over the postings of this rule's keys.
        // Per other rule: the shared keys as the score counts them, as the
        // evidence shows them, and whether one of the two selects on a
        // shared key.
        type Found = (Vec<Hit>, Vec<SharedKey>, bool);
        let mut found: HashMap<u32, Found> = HashMap::new();
        for w in mine {
            let idf = self.idf[w.key as usize];
            for &(other, slot) in &self.postings[w.key as usize] {
                if other as usize == position {
                    continue;
                }
                let theirs = self.vectors[other as usize][slot as usize];
                let scope = if w.logsource != NO_LOGSOURCE
                    && theirs.logsource != NO_LOGSOURCE
                    && w.logsource != theirs.logsource
                {
                    OTHER_LOGSOURCE_WEIGHT
                } else {
                    1.0
                };
                // A key one rule selects on and the other excludes is the
                // same thing seen from opposite sides: it counts, but less
                // than a key both treat alike.
                let agreement = if (w.role == 1.0) == (theirs.role == 1.0) {
                    1.0
                } else {
                    OPPOSITE_ROLE_WEIGHT
                };
                let weight = idf * w.role * idf * theirs.role * scope * agreement;
                let slot = found.entry(other).or_default();
                slot.0.push(Hit {
                    group: w.group,
                    their_group: theirs.group,
                    dot: weight,
                    covered: (idf * w.role).powi(2) * scope * agreement,
                    mine: (idf * w.role).powi(2),
                    my_group: w.group_weight,
                    theirs: (idf * theirs.role).powi(2),
                    their_group_weight: theirs.group_weight,
                });
                // Keys both rules only exclude relate nothing on their own.
                slot.2 |= w.role == 1.0 || theirs.role == 1.0;
                slot.1.push(SharedKey {
                    key: w.key,
                    here: w.rule_key,
                    there: theirs.rule_key,
                    weight,
                });
            }
        }
        let my_norm = self.norms[position];
        let my_logsources = &self.logsources[position];
        let mut behaviour: Vec<Related> = found
            .into_iter()
            .filter(|(_, (_, _, selects))| *selects)
            .map(|(other, (hits, mut shared, _))| {
                let other = other as usize;
                let (dot, covered, my_norm, their_norm) =
                    shared_weight(hits, my_norm, self.norms[other]);
                let norm = my_norm * their_norm;
                let cosine = if norm > 0.0 {
                    f64::from(dot / norm)
                } else {
                    0.0
                };
                let coverage = if my_norm > 0.0 {
                    f64::from(covered / (my_norm * my_norm))
                } else {
                    0.0
                };
                let techniques = shared_count(&self.techniques[position], &self.techniques[other]);
                let same_logsource = self.logsources[other]
                    .iter()
                    .any(|l| my_logsources.contains(l));
                let similarity = 0.5 * (cosine + coverage);
                let score = similarity
                    + TECHNIQUE_BONUS * techniques.min(2) as f64
                    + if same_logsource { LOGSOURCE_BONUS } else { 0.0 };
                shared.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.key.cmp(&b.key)));
                let operation = shared
                    .iter()
                    .any(|s| self.keys[s.key as usize].subject == "operation");
                Related {
                    position: other,
                    rank: if operation {
                        RelatedRank::SameOperation
                    } else {
                        RelatedRank::SharedBehaviour
                    },
                    score,
                    shared,
                    same_detection: similarity >= SAME_DETECTION,
                    copies: Vec::new(),
                }
            })
            .collect();
        let me = &entries[position];
        let my_techniques = &self.techniques[position];
        behaviour.sort_by(|a, b| {
            let other_language =
                |r: &Related| entries[r.position].rule.language == me.rule.language;
            // The same detection first. Among its copies the score differs
            // only by what the rules say about themselves: those sharing
            // this rule's techniques, then the documented one (the original
            // a conversion was made from), before undocumented copies.
            // Elsewhere, at equal scores, the rule that says what it is for
            // (ATT&CK, description, authors, references) before a bare query.
            let documented =
                || documentation(&entries[b.position]).cmp(&documentation(&entries[a.position]));
            let same = b.same_detection.cmp(&a.same_detection);
            let copies = || {
                if !(a.same_detection && b.same_detection) {
                    return std::cmp::Ordering::Equal;
                }
                let techniques =
                    |r: &Related| shared_count(my_techniques, &self.techniques[r.position]);
                techniques(b).cmp(&techniques(a)).then_with(documented)
            };
            same.then_with(copies)
                .then(b.score.total_cmp(&a.score))
                .then_with(documented)
                .then(other_language(a).cmp(&other_language(b)))
                .then_with(|| {
                    entries[a.position]
                        .rule
                        .title
                        .cmp(&entries[b.position].rule.title)
                })
                .then(a.position.cmp(&b.position))
        });
        let mut in_list: Vec<bool> = vec![false; entries.len()];
        for r in &behaviour {
            in_list[r.position] = true;
        }
        let behaviour = self.fold_copies(behaviour);
        // A rule naming more log sources than a rule reads (`from *`, a
        // default list of index patterns) is on none of them in particular:
        // it is in no other rule's group, and has no group of its own.
        let names_too_many = |p: usize| self.logsources[p].len() > crate::infer::MAX_LOGSOURCES;
        let mut same_logsource = Vec::new();
        let my_logsources: &[String] = if names_too_many(position) {
            &[]
        } else {
            my_logsources
        };
        for logsource in my_logsources {
            for &other in self.with_logsource(logsource) {
                if other != position && !in_list[other] && !names_too_many(other) {
                    in_list[other] = true;
                    same_logsource.push(other);
                }
            }
        }
        // Shared techniques first, then other languages (what a reader of
        // one language cannot find by browsing it), then by title.
        let my_techniques = &self.techniques[position];
        same_logsource.sort_by_cached_key(|&other| {
            (
                std::cmp::Reverse(shared_count(my_techniques, &self.techniques[other])),
                entries[other].rule.language == me.rule.language,
                entries[other].rule.title.to_lowercase(),
                other,
            )
        });
        RelatedList {
            behaviour,
            same_logsource,
        }
    }
}

impl RelatedIndex {
    /// Folds each undocumented rule of a ranked list into the first
    /// undocumented rule above it with exactly its keys (see
    /// [`Related::copies`]).
    fn fold_copies(&self, ranked: Vec<Related>) -> Vec<Related> {
        let mut first_of: HashMap<&[(u32, bool)], usize> = HashMap::new();
        let mut out: Vec<Related> = Vec::with_capacity(ranked.len());
        for related in ranked {
            match self.copy_signatures[related.position].as_deref() {
                Some(signature) => match first_of.get(signature) {
                    Some(&first) => out[first].copies.push(related.position),
                    None => {
                        first_of.insert(signature, out.len());
                        out.push(related);
                    }
                },
                None => out.push(related),
            }
        }
        out
    }
}

/// The kind of a log source, whatever the operating system:
/// `windows.process_creation` and `linux.process_creation` are both
/// `process_creation`. Log sources that record the same action from
/// another vantage point are one kind too: a connection is a connection
/// whether the endpoint (Sysmon, Defender) or a firewall or flow log saw
/// it; a DNS query whether the client or the resolver logged it.
pub(crate) fn logsource_kind(logsource: &str) -> &str {
    let kind = ["windows.", "linux.", "macos."]
        .iter()
        .find_map(|os| logsource.strip_prefix(os))
        .unwrap_or(logsource);
    SAME_ACTION_KINDS
        .iter()
        .find(|(members, _)| members.contains(&kind))
        .map_or(kind, |(_, kind)| kind)
}

/// Log sources (after the operating system is stripped) that record one
/// action, and the kind they share.
const SAME_ACTION_KINDS: [(&[&str], &str); 2] = [
    (
        &[
            "network_connection",
            "firewall",
            "aws.vpcflow",
            "oracle.cloud_flow",
        ],
        "network_connection",
    ),
    (&["dns_query", "dns"], "dns_query"),
];

/// How much a rule says about itself: ATT&CK mappings, a description,
/// authors, references (0 to 4). A query cut from its rule says nothing.
fn documentation(entry: &Entry) -> usize {
    let rule = &entry.rule;
    usize::from(!entry.cells.is_empty())
        + usize::from(
            rule.description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
        )
        + usize::from(!rule.authors.is_empty())
        + usize::from(!rule.references.is_empty())
}

/// What two rules share, counted once per group of alternatives: the dot
/// product and this rule's covered weight over the strongest shared key of
/// each of its groups, and both rules' norms with each shared group counted
/// at the key shared (an operation keyed on two log sources weighs, in a
/// comparison with a rule on one of them, what that one weighs).
fn shared_weight(mut hits: Vec<Hit>, my_norm: f32, their_norm: f32) -> (f32, f32, f32, f32) {
    hits.sort_unstable_by(|a, b| a.group.cmp(&b.group).then(b.dot.total_cmp(&a.dot)));
    hits.dedup_by_key(|h| h.group);
    let (mut dot, mut covered) = (0.0, 0.0);
    let mut mine = my_norm * my_norm;
    for hit in &hits {
        dot += hit.dot;
        covered += hit.covered;
        mine -= hit.my_group - hit.mine;
    }
    hits.sort_unstable_by(|a, b| {
        a.their_group
            .cmp(&b.their_group)
            .then(b.theirs.total_cmp(&a.theirs))
    });
    hits.dedup_by_key(|h| h.their_group);
    let mut theirs = their_norm * their_norm;
    for hit in &hits {
        theirs -= hit.their_group_weight - hit.theirs;
    }
    (dot, covered, mine.max(0.0).sqrt(), theirs.max(0.0).sqrt())
}

/// Number of strings in both sorted lists.
fn shared_count(a: &[String], b: &[String]) -> usize {
    a.iter().filter(|x| b.binary_search(x).is_ok()).count()
}

/// What two related rules share, in both rules' own words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    /// The shared key, described (`process certutil.exe`).
    pub key: String,
    /// How this rule says it (`Image endswith "\certutil.exe"`).
    pub here: String,
    /// How the other rule says it (`process.name == "certutil.exe"`).
    pub there: String,
    /// True when this rule excludes what the key matches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub here_excludes: bool,
    /// True when the other rule excludes it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub there_excludes: bool,
}

impl RelatedIndex {
    /// The evidence of a link from the rule at `position` to `related`: each
    /// shared key, strongest first, as both rules write it. Rules that only
    /// share a log source have that log source, as each rule names it
    /// (`SigninLogs` here, `Azure.Audit` there).
    pub fn evidence(&self, entries: &[Entry], position: usize, related: &Related) -> Vec<Evidence> {
        if related.shared.is_empty() {
            return logsource_evidence(&entries[position], &entries[related.position]);
        }
        let mut out: Vec<Evidence> = Vec::new();
        for shared in &related.shared {
            let (Some(key), Some(here), Some(there)) = (
                self.key(shared.key),
                self.rule_keys(position).get(shared.here as usize),
                self.rule_keys(related.position).get(shared.there as usize),
            ) else {
                continue;
            };
            let evidence = Evidence {
                key: key.to_string(),
                here: written(entries, position, here),
                there: written(entries, related.position, there),
                here_excludes: here.exclusion,
                there_excludes: there.exclusion,
            };
            if !out.contains(&evidence) {
                out.push(evidence);
            }
        }
        out
    }

    /// Why two rules are related, in one line: `both match process
    /// certutil.exe and command line contains -urlcache (and 2 more)`, or
    /// `both read <log source>` for the same-log-source group.
    pub fn reason(
        &self,
        related: &Related,
        logsource_name: &dyn Fn(&str) -> String,
        entries: &[Entry],
        position: usize,
    ) -> String {
        if related.shared.is_empty() {
            let theirs = &entries[related.position].logsources;
            let shared = entries[position]
                .logsources
                .iter()
                .find(|l| theirs.contains(l));
            return match shared {
                Some(l) => format!("both read {}", logsource_name(l)),
                None => "related".to_string(),
            };
        }
        let mut names: Vec<String> = Vec::new();
        for s in &related.shared {
            if let Some(key) = self.key(s.key) {
                let name = key.to_string();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        let shown = names.len().min(3);
        let mut text = format!("both match {}", names[..shown].join(", "));
        if names.len() > shown {
            text.push_str(&format!(" (and {} more)", names.len() - shown));
        }
        text
    }
}

/// The log sources two rules share, each as the rules name it: the data
/// sources that resolved to it (all of a rule's data sources when none is
/// recorded against it, as for a name that resolves to several).
fn logsource_evidence(here: &Entry, there: &Entry) -> Vec<Evidence> {
    let written = |entry: &Entry, logsource: &str| -> String {
        let named: Vec<&str> = entry
            .rule
            .data_sources
            .iter()
            .filter(|d| d.logsource.as_deref() == Some(logsource))
            .map(|d| d.name.as_str())
            .collect();
        let names = if named.is_empty() {
            entry
                .rule
                .data_sources
                .iter()
                .map(|d| d.name.as_str())
                .collect()
        } else {
            named
        };
        names.join(", ")
    };
    here.logsources
        .iter()
        .filter(|l| there.logsources.contains(l))
        .map(|l| Evidence {
            key: format!("log source {l}"),
            here: written(here, l),
            there: written(there, l),
            here_excludes: false,
            there_excludes: false,
        })
        .collect()
}

/// A rule's key as the rule writes it: `Image endswith "\certutil.exe"`.
fn written(entries: &[Entry], position: usize, key: &RuleKey) -> String {
    let Some(indicator) = entries
        .get(position)
        .and_then(|e| e.rule.indicators.get(key.indicator))
    else {
        return String::new();
    };
    let field = indicator
        .derived
        .as_ref()
        .map_or(indicator.field.as_str(), |d| d.column.as_str());
    let token = indicator.kind.op().token(indicator.case_sensitive);
    let text = match (indicator.kind, indicator.values.get(key.value)) {
        (ruledex_ir::IndicatorKind::Field(_), Some(other)) => {
            format!("{field} {token} {}", other.as_str().unwrap_or_default())
        }
        // Strings as written, without escapes: evidence is read, not parsed.
        (_, Some(ruledex_ir::Value::String(text))) => format!("{field} {token} \"{text}\""),
        (_, Some(value)) => format!("{field} {token} {value}"),
        (_, None) => format!("{field} {token}"),
    };
    if indicator.negated {
        format!("not ({text})")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::logsource_kind;

    #[test]
    fn log_sources_recording_one_action_are_one_kind() {
        assert_eq!(
            logsource_kind("windows.process_creation"),
            "process_creation"
        );
        assert_eq!(
            logsource_kind("linux.process_creation"),
            logsource_kind("macos.process_creation")
        );
        assert_eq!(
            logsource_kind("firewall"),
            logsource_kind("windows.network_connection")
        );
        assert_eq!(logsource_kind("aws.vpcflow"), "network_connection");
        assert_eq!(logsource_kind("dns"), logsource_kind("windows.dns_query"));
        assert_ne!(logsource_kind("proxy"), logsource_kind("webserver"));
        assert_eq!(logsource_kind("azure.signinlogs"), "azure.signinlogs");
    }
}
