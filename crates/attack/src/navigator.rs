//! ATT&CK Navigator layers (layer file format 4.5).
//!
//! **Versions.** The Navigator checks two things when it opens a layer:
//! `versions.layer` against its own layer format (a different minor version
//! gives an "out of date" warning, a different major version a dialog), and
//! the ATT&CK major version in `versions.attack` against the newest ATT&CK it
//! serves (a different one opens the "upgrade layer" dialog). The layer
//! therefore says `layer: "4.5"` and `attack: "<major of the base version>"`
//! (`"18"` for the embedded v18.1 data) — the version the technique ids were
//! resolved against, so every id exists in the matrix the Navigator opens.
//! `navigator` is `"5.2.0"`, the Navigator release that pairs ATT&CK 18 with
//! layer format 4.5 in the format's specification. v19-only ids are folded
//! onto their v18 cells before export (T1685 scores T1562.001); v19 additions
//! without a v18 cell are listed in the layer's metadata instead of being
//! exported as techniques the v18 matrix does not have.

use crate::attack::Attack;
use crate::resolve::Resolution;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// The layer file format written.
pub const LAYER_FORMAT: &str = "4.5";
/// The Navigator version written in `versions.navigator`.
pub const NAVIGATOR_VERSION: &str = "5.2.0";
/// Gradient from the lowest to the highest score: white to blue.
pub const GRADIENT: [&str; 2] = ["#ffffff", "#3182bd"];

/// A score for one technique.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerScore {
    /// The technique, in any spelling ([`Attack::resolve_text`]): a v18 or
    /// v19 id, a URL, a name.
    pub technique: String,
    /// The tactic the score applies to, in any spelling; `None` for every
    /// tactic of the technique.
    pub tactic: Option<String>,
    /// The score (for coverage: the number of rules).
    pub score: f64,
    /// A comment shown in the technique's tooltip.
    pub comment: String,
}

impl<T: Into<String>, C: Into<String>> From<(T, f64, C)> for LayerScore {
    fn from((technique, score, comment): (T, f64, C)) -> Self {
        LayerScore {
            technique: technique.into(),
            tactic: None,
            score,
            comment: comment.into(),
        }
    }
}

#[derive(Default)]
struct Entry {
    score: f64,
    scored: bool,
    /// The first [`MAX_COMMENTS`] distinct comments, in order.
    comments: Vec<String>,
    /// Every distinct comment seen, for the count of those left out.
    distinct: HashSet<String>,
}

/// Most comments shown on one technique; the rest are counted.
const MAX_COMMENTS: usize = 20;

impl Attack {
    /// A Navigator layer (format 4.5, domain `enterprise-attack`) scoring
    /// techniques. Scores landing on the same cell (a v18 id and the v19 id
    /// folded onto it, or the same id twice) are added up and their comments
    /// joined. References that are not current techniques are listed in the
    /// layer's `metadata` and left out.
    pub fn navigator_layer<I>(&self, scores: I, name: &str, description: &str) -> Value
    where
        I: IntoIterator,
        I::Item: Into<LayerScore>,
    {
        let mut entries: BTreeMap<(String, Option<String>), Entry> = BTreeMap::new();
        let mut not_shown: Vec<String> = Vec::new();
        for score in scores.into_iter().map(Into::into) {
            let finding = self.resolve_text(&score.technique);
            let cells = self.technique_cells(&finding.resolution);
            let in_matrix: Vec<_> = cells.iter().filter(|cell| !cell.provisional).collect();
            if in_matrix.is_empty() {
                let why = match &finding.resolution {
                    Resolution::Provisional { target, .. } => format!(
                        "{} {} (provisional ATT&CK v{}, no v{} cell)",
                        target.id,
                        target.name,
                        self.provisional_version()
                            .map_or("?", |v| v.attack.as_str()),
                        self.version().attack
                    ),
                    _ => format!("{} (not a current technique)", finding.written),
                };
                not_shown.push(why);
                continue;
            }
            let folded_from = match &finding.resolution {
                Resolution::Provisional { target, .. } => Some(format!(
                    "via {}, provisional v{}",
                    target.id,
                    self.provisional_version()
                        .map_or("?", |v| v.attack.as_str())
                )),
                Resolution::Revoked { target, .. } => Some(format!("via revoked {}", target.id)),
                _ => None,
            };
            for cell in in_matrix {
                let tactics = self.tactics_of(cell);
                let tactic = score
                    .tactic
                    .as_deref()
                    .and_then(|t| self.fold_tactic(t))
                    .map(|t| t.shortname.clone())
                    .filter(|t| tactics.contains(&t.as_str()));
                let entry = entries.entry((cell.id.clone(), tactic)).or_default();
                if score.score.is_finite() {
                    entry.score += score.score;
                    entry.scored = true;
                }
                let comment = match &folded_from {
                    Some(from) if score.comment.is_empty() => from.clone(),
                    Some(from) => format!("{} ({from})", score.comment),
                    None => score.comment.clone(),
                };
                if !comment.is_empty()
                    && entry.distinct.insert(comment.clone())
                    && entry.comments.len() < MAX_COMMENTS
                {
                    entry.comments.push(comment);
                }
            }
        }

        let max_score = entries
            .values()
            .filter(|e| e.scored)
            .map(|e| e.score)
            .fold(0.0_f64, f64::max);
        let max_value = if max_score > 0.0 { max_score } else { 1.0 };
        let annotated_parents: HashSet<String> = entries
            .keys()
            .filter_map(|(id, _)| id.split_once('.').map(|(parent, _)| parent.to_string()))
            .collect();

        let techniques: Vec<Value> = entries
            .into_iter()
            .map(|((id, tactic), entry)| {
                let mut object = Map::new();
                object.insert("techniqueID".into(), json!(id));
                if let Some(tactic) = tactic {
                    object.insert("tactic".into(), json!(tactic));
                }
                if entry.scored {
                    object.insert("score".into(), json!(entry.score));
                }
                let mut comment = entry.comments.join("; ");
                let hidden = entry.distinct.len() - entry.comments.len();
                if hidden > 0 {
                    comment.push_str(&format!("; and {hidden} more"));
                }
                object.insert("comment".into(), json!(comment));
                object.insert("enabled".into(), json!(true));
                // Meaningful on techniques only: open the parent when one of
                // its sub-techniques is annotated.
                if !id.contains('.') {
                    object.insert(
                        "showSubtechniques".into(),
                        json!(annotated_parents.contains(&id)),
                    );
                }
                Value::Object(object)
            })
            .collect();

        let mut metadata = vec![
            json!({"name": "ATT&CK", "value": self.full_version_label()}),
            json!({"name": "generated by", "value": "ruledex"}),
        ];
        if !not_shown.is_empty() {
            metadata.push(json!({"divider": true}));
            for item in not_shown {
                metadata.push(json!({"name": "not shown", "value": item}));
            }
        }

        json!({
            "name": name,
            "versions": {
                "attack": self.version().major(),
                "navigator": NAVIGATOR_VERSION,
                "layer": LAYER_FORMAT,
            },
            "domain": "enterprise-attack",
            "description": description,
            "sorting": 3,
            "layout": {
                "layout": "side",
                "showID": true,
                "showName": true,
                "showAggregateScores": false,
                "countUnscored": false,
                "aggregateFunction": "average",
                "expandedSubtechniques": "annotated",
            },
            "hideDisabled": false,
            "techniques": techniques,
            "gradient": {
                "colors": GRADIENT,
                "minValue": 0,
                "maxValue": max_value,
            },
            "legendItems": [
                {"label": "score 0", "color": GRADIENT[0]},
                {"label": format!("score {}", format_score(max_value)), "color": GRADIENT[1]},
            ],
            "showTacticRowBackground": false,
            "tacticRowBackground": "#dddddd",
            "selectTechniquesAcrossTactics": true,
            "selectSubtechniquesWithParent": false,
            "selectVisibleTechniques": false,
            "metadata": metadata,
        })
    }
}

/// `3` for 3.0, `2.5` for 2.5.
fn format_score(score: f64) -> String {
    if score.fract() == 0.0 && score.abs() < 1e15 {
        format!("{score:.0}")
    } else {
        format!("{score}")
    }
}
