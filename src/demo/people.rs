//! Synthetic people: Chinese and English names, valid-looking mainland ID numbers
//! (GB 11643 check character) and mobile numbers. Deterministic for a seed.

use chrono::NaiveDate;

use crate::domain::identity::id_check_char;
use crate::domain::patient::{Patient, Sex};

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "玉兰", "建华", "志强", "晓明", "文", "辉", "婷",
    "宇", "鑫", "欣怡", "子涵", "浩然", "雨桐", "俊杰", "思远", "佳琪", "梓萱",
];
const FIRST: [&str; 16] = [
    "James", "Mary", "John", "Linda", "David", "Susan", "Michael", "Karen", "Daniel", "Emma",
    "Oliver", "Sophia", "Thomas", "Grace", "Henry", "Alice",
];
const LAST: [&str; 12] = [
    "Smith", "Brown", "Wilson", "Taylor", "Clarke", "Walker", "Wright", "Green", "Hall", "Wood",
    "Turner", "Bennett",
];
const REGIONS: [&str; 8] = [
    "110105", "310104", "440106", "330106", "510107", "420106", "320102", "370102",
];
const STREETS: [&str; 6] = [
    "北京市朝阳区建国路",
    "上海市徐汇区漕溪北路",
    "广州市天河区体育西路",
    "杭州市西湖区文三路",
    "成都市武侯区人民南路",
    "南京市鼓楼区中山路",
];
const MOBILE: [&str; 8] = ["133", "135", "138", "139", "150", "158", "186", "189"];
/// A small deterministic generator (xorshift), not for anything secret.
pub struct Generator {
    state: u64,
    serial: u32,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            serial: 0,
        }
    }

    pub(super) fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    pub(super) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    pub fn patient(&mut self) -> Patient {
        self.serial += 1;
        let sex = if self.next().is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        };
        let name = if self.next().is_multiple_of(5) {
            format!("{} {}", self.pick(&FIRST), self.pick(&LAST))
        } else {
            format!("{}{}", self.pick(&SURNAMES), self.pick(&GIVEN))
        };
        let birth = NaiveDate::from_ymd_opt(1940, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(self.next() % (65 * 365))))
            .unwrap_or_default();
        let sequence = (self.next() % 500) as u32 * 2 + u32::from(sex == Sex::Male);
        let first17 = format!(
            "{}{}{:03}",
            self.pick(&REGIONS),
            birth.format("%Y%m%d"),
            sequence % 1000
        );
        let check = id_check_char(&first17).unwrap_or('0');
        let phone = format!("{}{:08}", self.pick(&MOBILE), self.next() % 100_000_000);
        Patient {
            name,
            sex,
            birth_date: Some(birth),
            phone: Some(phone),
            id_number: Some(format!("{first17}{check}")),
            address: Some(format!(
                "{}{}号",
                self.pick(&STREETS),
                1 + self.next() % 300
            )),
            ..Patient::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::check_id_number;

    #[test]
    fn generated_people_are_valid_and_repeatable() {
        let mut a = Generator::new(1);
        let mut b = Generator::new(1);
        for _ in 0..200 {
            let p = a.patient();
            assert_eq!(p, b.patient());
            let id = p.id_number.unwrap();
            assert_eq!(id.len(), 18);
            assert_eq!(
                check_id_number(&id, p.birth_date),
                Ok(p.birth_date.unwrap())
            );
            assert_eq!(
                &id[6..14],
                p.birth_date.unwrap().format("%Y%m%d").to_string()
            );
            let phone = p.phone.unwrap();
            assert!(phone.len() == 11 && phone.starts_with('1'));
        }
    }
}
