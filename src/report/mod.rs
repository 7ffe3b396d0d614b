//! The auditor's report: a self-contained HTML page (no external assets, prints on
//! A4) or Markdown, rendered from one view model ([`view::View`]) by two templates
//! (`templates/report.html`, `templates/report.md`) with minijinja, so the two carry
//! the same facts and cannot drift; HTML escaping is the engine's.

mod chart;
mod condense;
mod timeline;
mod view;

use minijinja::{AutoEscape, Environment};

use crate::bundle::Predicate;
use crate::evaluate::Evaluation;
pub use view::Status;

const HTML: &str = include_str!("templates/report.html");
const MARKDOWN: &str = include_str!("templates/report.md");
const CHART: &str = include_str!("templates/chart.svg");
const TIMELINE: &str = include_str!("templates/timeline.svg");

#[derive(Debug, thiserror::Error)]
#[error("cannot render the report: {0}")]
pub struct ReportError(#[from] minijinja::Error);

pub fn html(p: &Predicate, eval: &Evaluation, status: &Status<'_>) -> Result<String, ReportError> {
    render("report.html", p, eval, status)
}

pub fn markdown(
    p: &Predicate,
    eval: &Evaluation,
    status: &Status<'_>,
) -> Result<String, ReportError> {
    render("report.md", p, eval, status)
}

fn render(
    name: &str,
    p: &Predicate,
    eval: &Evaluation,
    status: &Status<'_>,
) -> Result<String, ReportError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".svg") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // A Markdown table cell: no pipe ends it, no newline breaks the row.
    env.add_filter("cell", |s: String| s.replace('|', "\\|").replace('\n', " "));
    // Markdown passes inline HTML through (CommonMark, GitHub): every value written into
    // the Markdown report has `&`, `<` and `>` as entities, so no text of the evidence or
    // the manifest becomes an element.
    env.set_formatter(|out, state, value| {
        if state.name().ends_with(".md") && !value.is_safe() {
            let text = value.to_string();
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            return out.write_str(&escaped).map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_template("report.html", HTML)?;
    env.add_template("report.md", MARKDOWN)?;
    env.add_template("chart.svg", CHART)?;
    env.add_template("timeline.svg", TIMELINE)?;
    let view = view::View::new(p, eval, status);
    let mut text = env.get_template(name)?.render(&view)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::empty;
    use crate::evaluate::{checklist, evaluate};

    #[test]
    fn both_renderings_carry_the_same_facts_and_html_escapes_them() {
        let mut ev = empty();
        ev.case_study.case_study.statements.insert(
            "problem".into(),
            "<script>alert(1)</script> | a pipe\\nand a line".into(),
        );
        let eval = evaluate(&ev, &checklist::load_default());
        let p = Predicate::new(ev, eval.clone());
        let html = html(&p, &eval, &Status::NotChecked).expect("html");
        let md = markdown(&p, &eval, &Status::NotChecked).expect("md");
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        for label in [
            "AWS account",
            "Role",
            "Caller",
            "AWS calls",
            "Signers",
            "Checklist",
            "Tool",
        ] {
            assert!(html.contains(&format!("<th>{label}</th>")), "html: {label}");
            assert!(md.contains(&format!("| {label} |")), "md: {label}");
        }
        for f in &eval.findings {
            assert!(html.contains(&format!("id=\"{}\"", f.item)), "{}", f.item);
            assert!(
                md.contains(&format!("### {} — {}", f.item, f.verdict.as_str())),
                "{}",
                f.item
            );
        }
        assert!(md.contains("a pipe"));
    }
}
