//! What every mapping step shares: the order, the rules, and the problems and warnings found so
//! far (every problem is collected, so the admin sees them all at once).

use crate::order::{OrderSnapshot, ValidationError, ValidationErrors};

use super::rules::MappingRules;
use super::warnings::Warning;

pub struct Cx<'a> {
    pub o: &'a OrderSnapshot,
    pub rules: &'a MappingRules,
    pub errors: Vec<ValidationError>,
    pub warnings: Vec<Warning>,
}

impl<'a> Cx<'a> {
    pub fn new(o: &'a OrderSnapshot, rules: &'a MappingRules) -> Cx<'a> {
        Cx {
            o,
            rules,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Stop here when anything was found: later steps need what the earlier ones checked.
    pub fn checkpoint(&mut self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors {
                errors: std::mem::take(&mut self.errors),
            })
        }
    }
}
