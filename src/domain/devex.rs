//! The default DevEx survey: one `likert5` item per default area, grouped by
//! dimension, then a priority pick, hours lost and an optional comment.

use super::QuestionKind;

/// One question of a survey template.
#[derive(Debug, Clone, Copy)]
pub struct TemplateQuestion {
    pub kind: QuestionKind,
    pub area_id: Option<&'static str>,
    pub prompt: &'static str,
    pub required: bool,
}

pub const TITLE: &str = "Developer experience check-in";
pub const DESCRIPTION: &str = "Three minutes, once a quarter: how satisfied are you with the things that \
shape your working day? Answers are anonymous, and only shown for groups large enough that no one can be singled out.";

const fn likert(area_id: &'static str, prompt: &'static str) -> TemplateQuestion {
    TemplateQuestion { kind: QuestionKind::Likert5, area_id: Some(area_id), prompt, required: true }
}

/// The default DevEx survey, in order.
pub const QUESTIONS: [TemplateQuestion; 17] = [
    // feedback loops
    likert("build_test", "How satisfied are you with how fast you can build and test your code?"),
    likert("ci", "How satisfied are you with continuous integration: its speed and how reliable it is?"),
    likert("code_review", "How satisfied are you with how quickly and how well your code gets reviewed?"),
    likert("deploy", "How satisfied are you with getting a change deployed and released?"),
    likert("local_env", "How satisfied are you with your local development environment?"),
    // cognitive load
    likert("docs", "How satisfied are you with the documentation you need for your work?"),
    likert("codebase", "How satisfied are you with how easy the codebase is to understand and change?"),
    likert("debugging", "How satisfied are you with the tools for debugging and observing your systems?"),
    likert("cross_team", "How satisfied are you with getting what you need from other teams?"),
    likert("change_confidence", "How confident are you that a change will not break something unexpected?"),
    // flow state
    likert("deep_work", "How satisfied are you with the time you get for focused, uninterrupted work?"),
    likert("planning", "How satisfied are you with how clear your priorities and plans are?"),
    likert("on_call", "How satisfied are you with your on-call load?"),
    likert("incident_response", "How satisfied are you with how incidents are handled?"),
    TemplateQuestion {
        kind: QuestionKind::PriorityPick,
        area_id: None,
        prompt: "Pick up to three areas whose improvement would help you most.",
        required: false,
    },
    TemplateQuestion {
        kind: QuestionKind::Hours,
        area_id: None,
        prompt: "Roughly how many hours a week do you lose to friction in your tools and processes?",
        required: false,
    },
    TemplateQuestion {
        kind: QuestionKind::Text,
        area_id: None,
        prompt: "Anything else you want the platform team to know? (optional)",
        required: false,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_likert_item_per_default_area() {
        let areas: Vec<_> = QUESTIONS.iter().filter_map(|q| q.area_id).collect();
        assert_eq!(areas.len(), 14);
        let mut dedup = areas.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 14);
    }
}
