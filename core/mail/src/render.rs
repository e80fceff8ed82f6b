//! Subjects and bodies of the four notices, in Chinese with English beside.

use askama::Template;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// An item was assigned or transferred to the unit.
    Assignment,
    /// A unit returned an item; the notice goes to the dispatcher.
    Return,
    /// A deadline is today or on the next working day.
    DueSoon,
    /// A deadline has passed.
    Overdue,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Assignment => "assignment",
            MailKind::Return => "return",
            MailKind::DueSoon => "due_soon",
            MailKind::Overdue => "overdue",
        }
    }
}

/// What the templates show.
#[derive(Debug, Clone, Default)]
pub struct MailContext {
    pub complaint_id: String,
    pub task_no: String,
    /// 投诉 or 举报.
    pub kind_zh: String,
    pub unit_name: String,
    pub respondent: String,
    pub item: String,
    /// The matter, shortened.
    pub summary: String,
    /// What is due (签收, 受理决定 …) and by when.
    pub due_what: String,
    pub due_date: String,
    /// Why it was routed there, or why it was returned.
    pub reason: String,
    /// 0 none, 1 催办, 2 督办.
    pub escalation: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "email/notice.txt")]
struct Text<'a> {
    kind: &'a str,
    c: &'a MailContext,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct Html<'a> {
    kind: &'a str,
    c: &'a MailContext,
}

fn subject(kind: MailKind, c: &MailContext) -> String {
    match kind {
        MailKind::Assignment => format!(
            "【派单】{}件 {} 已派至贵单位，请于 {} 前签收 / New {} assigned",
            c.kind_zh, c.complaint_id, c.due_date, c.complaint_id
        ),
        MailKind::Return => format!(
            "【退回】{} 被 {} 退回，请重新派单 / {} returned",
            c.complaint_id, c.unit_name, c.complaint_id
        ),
        MailKind::DueSoon => format!(
            "【即将到期】{} {}期限 {} / {} due {}",
            c.complaint_id, c.due_what, c.due_date, c.complaint_id, c.due_date
        ),
        MailKind::Overdue => format!(
            "【{}】{} {}已超期（期限 {}）/ {} overdue",
            if c.escalation >= 2 {
                "督办"
            } else {
                "催办"
            },
            c.complaint_id,
            c.due_what,
            c.due_date,
            c.complaint_id
        ),
    }
}

/// Renders one notice.
pub fn render(kind: MailKind, context: &MailContext) -> Rendered {
    let kind_text = kind.as_str();
    let text = Text {
        kind: kind_text,
        c: context,
    }
    .render()
    .unwrap_or_else(|e| format!("(the notice could not be rendered: {e})"));
    let html = Html {
        kind: kind_text,
        c: context,
    }
    .render()
    .unwrap_or_else(|e| format!("<p>(the notice could not be rendered: {e})</p>"));
    Rendered {
        subject: subject(kind, context),
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> MailContext {
        MailContext {
            complaint_id: "TS-2025-0001".into(),
            task_no: "2025-0001".into(),
            kind_zh: "投诉".into(),
            unit_name: "清城区市场监督管理局".into(),
            respondent: "清远市某某<食品>有限公司".into(),
            item: "44011000000100 对食品生产经营者的监督检查".into(),
            summary: "购买的月饼已过期".into(),
            due_what: "签收".into(),
            due_date: "2025-09-28".into(),
            reason: "经营地在清城区".into(),
            escalation: 0,
        }
    }

    #[test]
    fn an_assignment_names_the_item_the_deadline_and_the_reason() {
        let mail = render(MailKind::Assignment, &context());
        assert!(mail.subject.contains("TS-2025-0001"), "{}", mail.subject);
        assert!(mail.subject.contains("2025-09-28"));
        assert!(mail.text.contains("购买的月饼已过期"), "{}", mail.text);
        assert!(mail.text.contains("经营地在清城区"));
        assert!(
            mail.text.contains("清远市某某<食品>有限公司"),
            "text is not escaped"
        );
        assert!(
            !mail.html.contains("<食品>"),
            "html is escaped: {}",
            mail.html
        );
        assert!(mail.html.contains("食品"));
    }

    #[test]
    fn overdue_notices_say_urged_or_supervised() {
        let mut c = context();
        c.escalation = 1;
        assert!(render(MailKind::Overdue, &c).subject.contains("催办"));
        c.escalation = 2;
        assert!(render(MailKind::Overdue, &c).subject.contains("督办"));
        assert!(render(MailKind::Return, &c).text.contains("退回"));
        assert!(render(MailKind::DueSoon, &c).text.contains("2025-09-28"));
    }
}
