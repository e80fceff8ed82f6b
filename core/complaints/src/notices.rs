//! The mails an event or a deadline causes, rendered and keyed so that each is queued once.

use jiandu_mail::{MailContext, MailKind, render};
use jiandu_store::{ComplaintRow, NewMail};

use crate::deadlines::Milestone;
use crate::envelope::Intake;
use crate::routing::Directory;

/// Shortens the matter for a notice: the first 120 characters.
fn summary(detail: &str) -> String {
    let mut s: String = detail.chars().take(120).collect();
    if detail.chars().count() > 120 {
        s.push('…');
    }
    s
}

pub struct Notice<'a> {
    pub kind: MailKind,
    pub complaint_id: &'a str,
    pub task_no: &'a str,
    pub intake: &'a Intake,
    /// Who receives it.
    pub unit_id: &'a str,
    pub due: Option<&'a Milestone>,
    pub reason: &'a str,
    pub escalation: u8,
    /// What makes it unique (the event number, or the deadline and level).
    pub key: String,
}

impl Notice<'_> {
    pub fn build(&self, directory: &Directory) -> NewMail {
        let unit = directory.unit(self.unit_id);
        let item = self
            .intake
            .item_code
            .as_ref()
            .map(|code| match directory.items.get(code) {
                Some((name, _)) => format!("{code} {name}"),
                None => code.clone(),
            })
            .unwrap_or_else(|| "（未注明 / not given）".into());
        let context = MailContext {
            complaint_id: self.complaint_id.to_owned(),
            task_no: self.task_no.to_owned(),
            kind_zh: self.intake.kind.chinese().to_owned(),
            unit_name: unit.map_or_else(|| self.unit_id.to_owned(), |u| u.name.clone()),
            respondent: self
                .intake
                .respondent
                .name
                .clone()
                .unwrap_or_else(|| "（未注明 / not given）".into()),
            item,
            summary: summary(&self.intake.detail),
            due_what: self
                .due
                .map(|m| m.kind.chinese().to_owned())
                .unwrap_or_default(),
            due_date: self.due.map(|m| m.due.to_string()).unwrap_or_default(),
            reason: self.reason.to_owned(),
            escalation: self.escalation,
        };
        let rendered = render(self.kind, &context);
        let dedupe_key = format!("{}:{}:{}", self.kind.as_str(), self.complaint_id, self.key);
        NewMail {
            message_id: format!("<{}@jiandu>", dedupe_key.replace([':', ' '], ".")),
            dedupe_key,
            kind: self.kind.as_str().to_owned(),
            complaint_id: Some(self.complaint_id.to_owned()),
            unit_id: Some(self.unit_id.to_owned()),
            to_addr: unit.and_then(|u| u.email.clone()),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
        }
    }
}

/// The intake stored with a complaint.
pub fn intake_of(row: &ComplaintRow) -> Option<Intake> {
    serde_json::from_value(row.details.clone()).ok()
}
