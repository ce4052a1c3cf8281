/**
 * Korea's 17 first-level divisions (시·도) and their 229 second-level districts (시·군·구).
 *
 * Districts: the 226 autonomous basic local governments (75 시, 82 군, 69 자치구), plus Sejong,
 * which has no districts and is listed as its own single district, plus Jeju's two administrative
 * cities (제주시, 서귀포시) — the same 229 that Statistics Korea counts (2021 census report:
 * https://m.edaily.co.kr/news/read?mediaCodeNo=257&newsId=02725686632399112). Non-autonomous
 * 일반구 inside large cities (수원시 장안구 …) are not listed: they would bring the total to ≈260,
 * and their set keeps changing (부천 restored them in 2024). Map as of 2024: Daegu includes 군위군
 * (moved from Gyeongbuk in July 2023); Incheon's 2026 reorganisation is not applied.
 * English names follow Revised Romanization.
 *
 * Codes are ours and stable: provinces use ISO 3166-2:KR ('KR-11'), districts append a two-digit
 * ordinal in the listed order ('KR-11-01' = 종로구). They are NOT the MOIS 5-digit codes.
 * Append new districts at the end of a province's list; never renumber.
 *
 * Population: resident registration at end-2021 (total 51,638,809; Seoul 9,509,458 and Gyeonggi
 * 13,565,450 from http://www.sijung.co.kr/news/articleView.html?idxno=286080; the other 15 figures
 * are as recalled, and all 17 sum exactly to the sourced total). Shares are these over the total.
 */

export type DistrictKind = 'gu' | 'si' | 'gun';

export interface District {
  code: string;
  ko: string;
  en: string;
  /** From the Korean suffix: 구 autonomous district, 시 city, 군 county. */
  kind: DistrictKind;
}

export interface Province {
  code: string;
  ko: string;
  en: string;
  /** Residents at end-2021. */
  population2021: number;
  /** population2021 / national total; the 17 shares sum to 1. */
  populationShare: number;
  districts: readonly District[];
}

/** [code, ko, en, residents end-2021, districts as 'ko|en' joined by commas] */
type ProvinceRow = readonly [string, string, string, number, string];

const ROWS: readonly ProvinceRow[] = [
  [
    'KR-11',
    '서울특별시',
    'Seoul',
    9_509_458,
    '종로구|Jongno-gu,중구|Jung-gu,용산구|Yongsan-gu,성동구|Seongdong-gu,광진구|Gwangjin-gu,동대문구|Dongdaemun-gu,' +
      '중랑구|Jungnang-gu,성북구|Seongbuk-gu,강북구|Gangbuk-gu,도봉구|Dobong-gu,노원구|Nowon-gu,은평구|Eunpyeong-gu,' +
      '서대문구|Seodaemun-gu,마포구|Mapo-gu,양천구|Yangcheon-gu,강서구|Gangseo-gu,구로구|Guro-gu,금천구|Geumcheon-gu,' +
      '영등포구|Yeongdeungpo-gu,동작구|Dongjak-gu,관악구|Gwanak-gu,서초구|Seocho-gu,강남구|Gangnam-gu,송파구|Songpa-gu,' +
      '강동구|Gangdong-gu',
  ],
  [
    'KR-26',
    '부산광역시',
    'Busan',
    3_350_380,
    '중구|Jung-gu,서구|Seo-gu,동구|Dong-gu,영도구|Yeongdo-gu,부산진구|Busanjin-gu,동래구|Dongnae-gu,남구|Nam-gu,' +
      '북구|Buk-gu,해운대구|Haeundae-gu,사하구|Saha-gu,금정구|Geumjeong-gu,강서구|Gangseo-gu,연제구|Yeonje-gu,' +
      '수영구|Suyeong-gu,사상구|Sasang-gu,기장군|Gijang-gun',
  ],
  [
    'KR-27',
    '대구광역시',
    'Daegu',
    2_385_412,
    '중구|Jung-gu,동구|Dong-gu,서구|Seo-gu,남구|Nam-gu,북구|Buk-gu,수성구|Suseong-gu,달서구|Dalseo-gu,' +
      '달성군|Dalseong-gun,군위군|Gunwi-gun',
  ],
  [
    'KR-28',
    '인천광역시',
    'Incheon',
    2_948_375,
    '중구|Jung-gu,동구|Dong-gu,미추홀구|Michuhol-gu,연수구|Yeonsu-gu,남동구|Namdong-gu,부평구|Bupyeong-gu,' +
      '계양구|Gyeyang-gu,서구|Seo-gu,강화군|Ganghwa-gun,옹진군|Ongjin-gun',
  ],
  ['KR-29', '광주광역시', 'Gwangju', 1_441_611, '동구|Dong-gu,서구|Seo-gu,남구|Nam-gu,북구|Buk-gu,광산구|Gwangsan-gu'],
  [
    'KR-30',
    '대전광역시',
    'Daejeon',
    1_452_251,
    '동구|Dong-gu,중구|Jung-gu,서구|Seo-gu,유성구|Yuseong-gu,대덕구|Daedeok-gu',
  ],
  ['KR-31', '울산광역시', 'Ulsan', 1_121_592, '중구|Jung-gu,남구|Nam-gu,동구|Dong-gu,북구|Buk-gu,울주군|Ulju-gun'],
  ['KR-50', '세종특별자치시', 'Sejong', 371_895, '세종특별자치시|Sejong-si'],
  [
    'KR-41',
    '경기도',
    'Gyeonggi-do',
    13_565_450,
    '수원시|Suwon-si,성남시|Seongnam-si,의정부시|Uijeongbu-si,안양시|Anyang-si,부천시|Bucheon-si,광명시|Gwangmyeong-si,' +
      '평택시|Pyeongtaek-si,동두천시|Dongducheon-si,안산시|Ansan-si,고양시|Goyang-si,과천시|Gwacheon-si,구리시|Guri-si,' +
      '남양주시|Namyangju-si,오산시|Osan-si,시흥시|Siheung-si,군포시|Gunpo-si,의왕시|Uiwang-si,하남시|Hanam-si,' +
      '용인시|Yongin-si,파주시|Paju-si,이천시|Icheon-si,안성시|Anseong-si,김포시|Gimpo-si,화성시|Hwaseong-si,' +
      '광주시|Gwangju-si,양주시|Yangju-si,포천시|Pocheon-si,여주시|Yeoju-si,연천군|Yeoncheon-gun,가평군|Gapyeong-gun,' +
      '양평군|Yangpyeong-gun',
  ],
  [
    'KR-42',
    '강원특별자치도',
    'Gangwon State',
    1_538_492,
    '춘천시|Chuncheon-si,원주시|Wonju-si,강릉시|Gangneung-si,동해시|Donghae-si,태백시|Taebaek-si,속초시|Sokcho-si,' +
      '삼척시|Samcheok-si,홍천군|Hongcheon-gun,횡성군|Hoengseong-gun,영월군|Yeongwol-gun,평창군|Pyeongchang-gun,' +
      '정선군|Jeongseon-gun,철원군|Cheorwon-gun,화천군|Hwacheon-gun,양구군|Yanggu-gun,인제군|Inje-gun,' +
      '고성군|Goseong-gun,양양군|Yangyang-gun',
  ],
  [
    'KR-43',
    '충청북도',
    'Chungcheongbuk-do',
    1_597_427,
    '청주시|Cheongju-si,충주시|Chungju-si,제천시|Jecheon-si,보은군|Boeun-gun,옥천군|Okcheon-gun,영동군|Yeongdong-gun,' +
      '증평군|Jeungpyeong-gun,진천군|Jincheon-gun,괴산군|Goesan-gun,음성군|Eumseong-gun,단양군|Danyang-gun',
  ],
  [
    'KR-44',
    '충청남도',
    'Chungcheongnam-do',
    2_119_257,
    '천안시|Cheonan-si,공주시|Gongju-si,보령시|Boryeong-si,아산시|Asan-si,서산시|Seosan-si,논산시|Nonsan-si,' +
      '계룡시|Gyeryong-si,당진시|Dangjin-si,금산군|Geumsan-gun,부여군|Buyeo-gun,서천군|Seocheon-gun,' +
      '청양군|Cheongyang-gun,홍성군|Hongseong-gun,예산군|Yesan-gun,태안군|Taean-gun',
  ],
  [
    'KR-45',
    '전북특별자치도',
    'Jeonbuk State',
    1_786_855,
    '전주시|Jeonju-si,군산시|Gunsan-si,익산시|Iksan-si,정읍시|Jeongeup-si,남원시|Namwon-si,김제시|Gimje-si,' +
      '완주군|Wanju-gun,진안군|Jinan-gun,무주군|Muju-gun,장수군|Jangsu-gun,임실군|Imsil-gun,순창군|Sunchang-gun,' +
      '고창군|Gochang-gun,부안군|Buan-gun',
  ],
  [
    'KR-46',
    '전라남도',
    'Jeollanam-do',
    1_832_803,
    '목포시|Mokpo-si,여수시|Yeosu-si,순천시|Suncheon-si,나주시|Naju-si,광양시|Gwangyang-si,담양군|Damyang-gun,' +
      '곡성군|Gokseong-gun,구례군|Gurye-gun,고흥군|Goheung-gun,보성군|Boseong-gun,화순군|Hwasun-gun,' +
      '장흥군|Jangheung-gun,강진군|Gangjin-gun,해남군|Haenam-gun,영암군|Yeongam-gun,무안군|Muan-gun,' +
      '함평군|Hampyeong-gun,영광군|Yeonggwang-gun,장성군|Jangseong-gun,완도군|Wando-gun,진도군|Jindo-gun,' +
      '신안군|Sinan-gun',
  ],
  [
    'KR-47',
    '경상북도',
    'Gyeongsangbuk-do',
    2_626_609,
    '포항시|Pohang-si,경주시|Gyeongju-si,김천시|Gimcheon-si,안동시|Andong-si,구미시|Gumi-si,영주시|Yeongju-si,' +
      '영천시|Yeongcheon-si,상주시|Sangju-si,문경시|Mungyeong-si,경산시|Gyeongsan-si,의성군|Uiseong-gun,' +
      '청송군|Cheongsong-gun,영양군|Yeongyang-gun,영덕군|Yeongdeok-gun,청도군|Cheongdo-gun,고령군|Goryeong-gun,' +
      '성주군|Seongju-gun,칠곡군|Chilgok-gun,예천군|Yecheon-gun,봉화군|Bonghwa-gun,울진군|Uljin-gun,' +
      '울릉군|Ulleung-gun',
  ],
  [
    'KR-48',
    '경상남도',
    'Gyeongsangnam-do',
    3_314_183,
    '창원시|Changwon-si,진주시|Jinju-si,통영시|Tongyeong-si,사천시|Sacheon-si,김해시|Gimhae-si,밀양시|Miryang-si,' +
      '거제시|Geoje-si,양산시|Yangsan-si,의령군|Uiryeong-gun,함안군|Haman-gun,창녕군|Changnyeong-gun,' +
      '고성군|Goseong-gun,남해군|Namhae-gun,하동군|Hadong-gun,산청군|Sancheong-gun,함양군|Hamyang-gun,' +
      '거창군|Geochang-gun,합천군|Hapcheon-gun',
  ],
  ['KR-49', '제주특별자치도', 'Jeju', 676_759, '제주시|Jeju-si,서귀포시|Seogwipo-si'],
];

function kindOf(ko: string): DistrictKind {
  if (ko.endsWith('구')) return 'gu';
  if (ko.endsWith('군')) return 'gun';
  if (ko.endsWith('시')) return 'si';
  throw new Error(`district name without 시/군/구 suffix: ${ko}`);
}

function parseDistricts(provinceCode: string, list: string): District[] {
  return list.split(',').map((pair, i) => {
    const [ko, en] = pair.split('|');
    if (ko === undefined || en === undefined) throw new Error(`bad district entry in ${provinceCode}: ${pair}`);
    return { code: `${provinceCode}-${String(i + 1).padStart(2, '0')}`, ko, en, kind: kindOf(ko) };
  });
}

const NATIONAL_POPULATION_2021 = ROWS.reduce((sum, row) => sum + row[3], 0);

/** The 17 provinces, frozen, in the conventional order (special/metropolitan cities first). */
export const PROVINCES: readonly Province[] = Object.freeze(
  ROWS.map(([code, ko, en, population2021, list]) =>
    Object.freeze({
      code,
      ko,
      en,
      population2021,
      populationShare: population2021 / NATIONAL_POPULATION_2021,
      districts: Object.freeze(parseDistricts(code, list).map((d) => Object.freeze(d))),
    }),
  ),
);

const PROVINCE_BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));
const DISTRICT_BY_CODE = new Map(PROVINCES.flatMap((p) => p.districts.map((d) => [d.code, d] as const)));

export function provinceByCode(code: string): Province | undefined {
  return PROVINCE_BY_CODE.get(code);
}

export function districtByCode(code: string): District | undefined {
  return DISTRICT_BY_CODE.get(code);
}

/** The province a district code belongs to ('KR-11-03' → 'KR-11'). */
export function provinceCodeOfDistrict(districtCode: string): string {
  return districtCode.slice(0, districtCode.lastIndexOf('-'));
}

/**
 * Relative population weight of a district within its province. We hold no district populations,
 * so this is by kind: a 군 (county) counts 0.2 of a 시 or 구, roughly the ratio of average
 * populations in Gyeonggi, Gangwon and Jeonnam (≈40-60k against ≈200-450k). An approximation:
 * 기장군 or 제주시 vs 서귀포시 are misweighted.
 */
export function districtWeight(district: District): number {
  return district.kind === 'gun' ? 0.2 : 1;
}
