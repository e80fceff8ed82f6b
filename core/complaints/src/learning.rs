//! Learning from dispatchers, as a service over the store: the labelled examples as the
//! router reads them, training a model on them and putting it in use, and the examples in the
//! evaluation format (complainants left out) for export.

use jiandu_model::Moment;
use jiandu_store::RoutingExample;
use serde::Serialize;

use crate::envelope::Intake;
use crate::routing::evaluate::{EvalItem, EvalRespondent};
use crate::routing::{Directory, Example, Fit, LearnedModel};
use crate::service::{ComplaintError, Complaints};

/// What one training did.
#[derive(Debug, Clone, Serialize)]
pub struct Trained {
    pub model_id: i64,
    pub model: LearnedModel,
    /// Examples whose unit has no department in the unit list, or whose department the
    /// routing table does not know: they teach nothing about departments.
    pub skipped: usize,
}

/// Which items were labelled with which unit: SHA-256 over `id unit` lines, in id order.
fn fingerprint(labelled: &[(RoutingExample, Intake)]) -> String {
    let lines: String = labelled
        .iter()
        .map(|(example, _)| format!("{} {}\n", example.complaint_id, example.unit_id))
        .collect();
    crate::routing::sha256_hex(lines.as_bytes())
}

fn intake_of(example: &RoutingExample) -> Option<Intake> {
    serde_json::from_value(example.details.clone()).ok()
}

impl Complaints {
    /// The labelled examples and the items they label (an example whose stored details do not
    /// read as an item is an error naming it).
    pub async fn labelled_items(&self) -> Result<Vec<(RoutingExample, Intake)>, ComplaintError> {
        self.store
            .routing_examples()
            .await?
            .into_iter()
            .map(|example| {
                let intake = intake_of(&example).ok_or_else(|| {
                    ComplaintError::Internal(format!(
                        "the stored details of {} do not read as a push",
                        example.complaint_id
                    ))
                })?;
                Ok((example, intake))
            })
            .collect()
    }

    /// Trains a model on every labelled example over the current lexicon and puts it in use.
    pub async fn train_routing(&self, actor: &str, now: Moment) -> Result<Trained, ComplaintError> {
        let labelled = self.labelled_items().await?;
        self.train_on(labelled, actor, now).await
    }

    /// Trains again only when the labels or the lexicon changed since the model in use (the
    /// nightly job): `None` when nothing changed or nothing is labelled.
    pub async fn retrain_if_changed(
        &self,
        actor: &str,
        now: Moment,
    ) -> Result<Option<Trained>, ComplaintError> {
        let labelled = self.labelled_items().await?;
        if labelled.is_empty() {
            return Ok(None);
        }
        let current = self
            .store
            .latest_routing_model()
            .await?
            .and_then(|stored| serde_json::from_value::<LearnedModel>(stored.body).ok());
        let unchanged = current.is_some_and(|model| {
            model.labels == fingerprint(&labelled)
                && model.lexicon_hash == self.router.lexicon().hash
        });
        if unchanged {
            return Ok(None);
        }
        self.train_on(labelled, actor, now).await.map(Some)
    }

    async fn train_on(
        &self,
        labelled: Vec<(RoutingExample, Intake)>,
        actor: &str,
        now: Moment,
    ) -> Result<Trained, ComplaintError> {
        let departments = self.router.departments();
        // The words are read as routing reads them, without party data (which may have
        // changed since): the message, the respondent's name and its registration kind.
        let empty = Directory::default();
        let examples: Vec<Example> = labelled
            .iter()
            .filter_map(|(example, intake)| {
                let department = example.department.clone()?;
                departments.contains(&department).then(|| Example {
                    words: self.router.words_of(intake, &empty),
                    department,
                })
            })
            .collect();
        let skipped = labelled.len() - examples.len();
        let mut model = self.router.train(&examples, Fit::default());
        model.labels = fingerprint(&labelled);
        let body = serde_json::to_value(&model).map_err(|e| {
            ComplaintError::Internal(format!("a model that cannot be written: {e}"))
        })?;
        let model_id = self
            .store
            .save_routing_model(&body, model.examples as i64, actor, now)
            .await?;
        self.refresh_routing_model().await?;
        Ok(Trained {
            model_id,
            model,
            skipped,
        })
    }

    /// The examples as evaluation items (`rules/routing/eval` format): what was said, where the
    /// platform placed it, and where the dispatcher sent it, the complainant left out.
    pub async fn export_examples(&self) -> Result<Vec<EvalItem>, ComplaintError> {
        Ok(self
            .labelled_items()
            .await?
            .into_iter()
            .map(|(example, intake)| EvalItem {
                id: example.complaint_id,
                kind: Some(example.kind),
                subject: intake.task_name.clone(),
                text: intake.detail.clone(),
                respondent: (intake.respondent.name.is_some()
                    || intake.respondent.cert_code.is_some())
                .then(|| EvalRespondent {
                    name: intake.respondent.name.clone(),
                    cert_code: intake.respondent.cert_code.clone(),
                    operating_region: None,
                }),
                territory: intake.respondent.territory.clone(),
                item_code: intake.item_code.clone(),
                department: example.department,
                unit: Some(example.unit_id),
            })
            .collect())
    }
}
