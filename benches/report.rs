//! The health report of a patient followed for ten years (every catalogue indicator
//! each quarter: 760 results), as a PDF in English and in Chinese (fonts chosen and
//! subset, charts drawn), and as the terminal preview.
//!
//! Run: `cargo bench --bench report`.

use caredesk::clinic::care::reports::{ClinicalPart, Letterhead, ReportData};
use caredesk::domain::card::Card;
use caredesk::domain::decimal::Decimal;
use caredesk::domain::indicators::INDICATORS;
use caredesk::domain::observation::Observation;
use caredesk::domain::patient::{Patient, PatientId, Sex};
use caredesk::domain::summary::Period;
use caredesk::i18n::Lang;
use caredesk::report::{self, health_report, text};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

fn data() -> ReportData {
    let start = NaiveDate::from_ymd_opt(2016, 12, 1).unwrap();
    let mut observations = Vec::new();
    for quarter in 0..40i64 {
        let at = start.and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp() + quarter * 91 * 86_400;
        for (n, indicator) in INDICATORS.iter().enumerate() {
            let base = indicator.high.or(indicator.low).unwrap_or(50.0);
            let value = base * (0.9 + 0.004 * quarter as f64 + 0.01 * (n % 3) as f64);
            let text = format!("{value:.1}");
            observations.push(Observation::typed_in(
                indicator.codes[0],
                Decimal::parse(&text).unwrap(),
                indicator.unit,
                at,
            ));
        }
    }
    ReportData {
        clinic: Letterhead {
            name: "Demo Health Clinic 演示健康管理中心".into(),
            address: "88 Jianguo Road 建国路88号".into(),
            phone: "010-6588 0000".into(),
        },
        layout: Default::default(),
        printed_at: 1_795_000_000,
        printed_by: "dr.zhou".into(),
        period: Period {
            from: NaiveDate::from_ymd_opt(2025, 11, 23).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        },
        patient_id: PatientId([7; 16]),
        patient: Patient {
            name: "孙华".into(),
            sex: Sex::Male,
            birth_date: NaiveDate::from_ymd_opt(1960, 1, 11),
            phone: Some("189****1409".into()),
            id_number: Some("1101**********8414".into()),
            ..Patient::default()
        },
        unmasked: false,
        card: Some(Card::new(
            "8860000000017".into(),
            "gold",
            36,
            NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
        )),
        units: Default::default(),
        clinical: Some(Box::new(ClinicalPart {
            observations,
            questionnaires: vec![],
            assessments: vec![],
            auto_tags: vec![],
            advice: vec![],
            plan: None,
            summary: None,
            followup_plans: vec![],
            calls: vec![],
        })),
    }
}

fn bench(c: &mut Criterion) {
    let data = data();
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("pdf_en_760_results", |b| {
        b.iter(|| report::health_report_pdf(&data, Lang::En).unwrap())
    });
    group.bench_function("pdf_zh_760_results", |b| {
        b.iter(|| report::health_report_pdf(&data, Lang::ZhCn).unwrap())
    });
    group.bench_function("preview_lines_760_results", |b| {
        b.iter(|| text::lines(&health_report::build(&data, Lang::En), 118))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
