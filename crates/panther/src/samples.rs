//! A rule's `Tests` evaluated on its lowered predicate tree: does the
//! analysis reproduce the result each test expects?
//!
//! Each test event (`properties.tests[i].log`, or `.resource` for a
//! policy) is evaluated with [`ruledex_eval::Evaluator::rule`] (the
//! conjunction of the rule's stages). A test is *reproduced* when the
//! evaluation is known and equals `ExpectedResult`. Tests that mock
//! functions (`Mocks`) run against Panther's own mocked helpers, which
//! the analysis does not see; they are counted apart.
//!
//! ```
//! use ruledex_ir::{RuleFormat, SourceFile};
//! use ruledex_panther::{samples, PantherFormat};
//!
//! let spec = "AnalysisType: rule
//! Filename: r.py
//! RuleID: Example.Rule
//! LogTypes: [AWS.CloudTrail]
//! Severity: Low
//! Tests:
//!   - Name: match
//!     ExpectedResult: true
//!     Log: {eventName: ConsoleLogin}
//!   - Name: other event
//!     ExpectedResult: false
//!     Log: {eventName: GetObject}
//! ";
//! let program = "def rule(event):\n    return event.get('eventName') == 'ConsoleLogin'\n";
//! let files = [SourceFile::standalone("r.py", program)];
//! let context = PantherFormat.build_context(&files);
//! let file = SourceFile::standalone("r.yml", spec).with_context(context.as_deref());
//! let rule = &PantherFormat.load(&file)[0];
//! let outcomes = samples::evaluate(rule, &mut ruledex_eval::Evaluator::new());
//! assert!(outcomes.iter().all(|o| o.reproduced()));
//! ```

use ruledex_eval::{Evaluator, Truth};
use ruledex_ir::Rule;

/// One test, evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleOutcome {
    /// The test's `Name`.
    pub name: String,
    /// Its `ExpectedResult`, when it is a boolean.
    pub expected: Option<bool>,
    /// What the lowered predicate tree gives on its event.
    pub evaluated: Truth,
    /// True when the test mocks functions.
    pub mocked: bool,
}

impl SampleOutcome {
    /// The evaluation is known and is the expected result.
    pub fn reproduced(&self) -> bool {
        self.expected.is_some() && self.evaluated.known() == self.expected
    }
}

/// Evaluate every test of `rule` that carries an event.
pub fn evaluate(rule: &Rule, evaluator: &mut Evaluator) -> Vec<SampleOutcome> {
    let Some(serde_json::Value::Array(tests)) = rule.properties.get("tests") else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(tests.len());
    for test in tests {
        let Some(event) = test.get("log").or_else(|| test.get("resource")) else {
            continue;
        };
        // Panther also accepts an event given as a JSON string.
        let parsed;
        let event = match event {
            serde_json::Value::String(s) => match serde_json::from_str(s) {
                Ok(v) => {
                    parsed = v;
                    &parsed
                }
                Err(_) => event,
            },
            other => other,
        };
        out.push(SampleOutcome {
            name: test
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_default()
                .to_string(),
            expected: test.get("expected_result").and_then(|v| v.as_bool()),
            evaluated: evaluator.rule(rule, event),
            mocked: test
                .get("mocks")
                .is_some_and(|m| m.as_array().is_some_and(|a| !a.is_empty())),
        });
    }
    out
}
