//! Esc on a form with something typed asks first: the first Esc says what leaving
//! would throw away, the second leaves. A nurse's long note or a clerk's half-typed
//! registration is never lost to one stray key.

use super::screens::Form;

/// What the form held when it was made, and whether the next Esc leaves.
#[derive(Debug, Default)]
pub struct DiscardGuard {
    initial: Vec<String>,
    armed: bool,
}

impl DiscardGuard {
    /// Guards `form` as it is now (its defaults are not "something typed").
    pub fn new(form: &Form) -> Self {
        Self {
            initial: form.fields.iter().map(|f| f.value.clone()).collect(),
            armed: false,
        }
    }

    /// Whether anything differs from what the form was made with.
    pub fn typed(&self, form: &Form) -> bool {
        form.fields.len() != self.initial.len()
            || form
                .fields
                .iter()
                .zip(&self.initial)
                .any(|(field, initial)| field.value != *initial)
    }

    /// Esc was pressed: true when it may leave now (nothing typed, or the second Esc in
    /// a row); false the first time, after which the screen says what Esc would lose.
    pub fn may_leave(&mut self, form: &Form) -> bool {
        if self.armed || !self.typed(form) {
            return true;
        }
        self.armed = true;
        false
    }

    /// Any other key: the next Esc asks again.
    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::field::Field;

    #[test]
    fn the_second_esc_in_a_row_leaves_and_an_untouched_form_leaves_at_once() {
        let mut form = Form::new(vec![Field::with("R"), Field::default()]);
        let mut guard = DiscardGuard::new(&form);
        assert!(guard.may_leave(&form), "defaults only");
        form.fields[1].value = "a long note".into();
        assert!(!guard.may_leave(&form));
        guard.disarm();
        assert!(
            !guard.may_leave(&form),
            "another key in between: asked again"
        );
        assert!(guard.may_leave(&form));
    }
}
