//! Registration from a resident ID number: an 18-digit number (GB 11643) holds the
//! birth date and the sex, so the form fills them in, checks what the clerk typed
//! against it at once, fills them again when the number changes (unless the clerk
//! typed them), and refuses a birth date in the future. The service makes the same
//! checks on save.

use super::{BIRTH_DATE, ID_NUMBER, ID_TYPE, Register, SEX};
use crate::domain::demographics_form::Problem;
use crate::domain::identity::{check_id_number, normalise_id_number, read_date, sex_of_id_number};
use crate::domain::patient::{IdType, Sex};
use crate::i18n::Lang;
use crate::tui::component::Desk;
use crate::tui::field::Field;

impl Register {
    /// A field changed: its old message goes, and the fields an ID number speaks for
    /// are checked against it again.
    pub(super) fn on_field_edited(&mut self, desk: &Desk<'_>, field: usize) {
        if let Some(error) = self.field_errors.get_mut(field) {
            *error = None;
        }
        match field {
            SEX => self.auto_filled.0 = false,
            BIRTH_DATE => self.auto_filled.1 = false,
            _ => {}
        }
        if matches!(field, SEX | BIRTH_DATE | ID_TYPE | ID_NUMBER) {
            // Only a changed number fills in: a field the clerk empties stays empty.
            self.sync_with_id(desk, matches!(field, ID_TYPE | ID_NUMBER));
        }
    }

    fn sync_with_id(&mut self, desk: &Desk<'_>, fill: bool) {
        self.filled_from_id = false;
        self.field_errors[ID_NUMBER] = None;
        self.field_errors[SEX] = None;
        if IdType::parse(self.form.value(ID_TYPE)) != Some(IdType::ResidentId) {
            return;
        }
        let number = self.form.value(ID_NUMBER).to_string();
        let (birth, sex) = match (check_id_number(&number, None), sex_of_id_number(&number)) {
            (Ok(birth), Some(sex)) => (birth, sex),
            // All 18 typed and wrong: said now, not after the whole form.
            (Err(error), _) if normalise_id_number(&number).chars().count() == 18 => {
                self.field_errors[ID_NUMBER] = Some(Problem::id_number(error).text(desk.locale));
                return;
            }
            _ => return,
        };
        let today = crate::domain::time::clinic_zone().today(desk.now);
        if birth > today {
            self.field_errors[ID_NUMBER] = Some(
                desk.locale
                    .tf("register.birth_future", &[("date", &birth.to_string())]),
            );
            return;
        }
        let mut filled = false;
        let typed_birth = self.form.value(BIRTH_DATE).trim().to_string();
        if fill && (typed_birth.is_empty() || self.auto_filled.1) {
            self.form.fields[BIRTH_DATE] = Field::with(&birth.to_string());
            self.field_errors[BIRTH_DATE] = None;
            self.auto_filled.1 = true;
            filled = true;
        } else if !typed_birth.is_empty() && read_date(&typed_birth) != Some(birth) {
            self.field_errors[ID_NUMBER] = Some(desk.locale.tf(
                "register.id_birth_mismatch",
                &[("found", &birth.to_string()), ("form", &typed_birth)],
            ));
        }
        let typed_sex = self.form.value(SEX).trim().to_string();
        if fill && (typed_sex.is_empty() || self.auto_filled.0) {
            // In the words the form's own hint uses.
            let word = match (sex, desk.locale.lang) {
                (Sex::Male, Lang::ZhCn) => "男",
                (_, Lang::ZhCn) => "女",
                (Sex::Male, _) => "M",
                (_, _) => "F",
            };
            self.form.fields[SEX] = Field::with(word);
            self.auto_filled.0 = true;
            filled = true;
        } else if matches!(Sex::parse(&typed_sex), Some(Sex::Male | Sex::Female))
            && Sex::parse(&typed_sex) != Some(sex)
        {
            let key = if sex == Sex::Male {
                "register.sex_id_male"
            } else {
                "register.sex_id_female"
            };
            self.field_errors[SEX] = Some(desk.t(key));
        }
        if filled {
            self.form.info = Some(desk.t("register.filled_from_id"));
        }
        // Sex and birth date now agree with the number: Enter may go past them.
        self.filled_from_id = self.field_errors[SEX].is_none()
            && self.field_errors[ID_NUMBER].is_none()
            && !self.form.value(SEX).trim().is_empty()
            && !self.form.value(BIRTH_DATE).trim().is_empty();
    }
}
