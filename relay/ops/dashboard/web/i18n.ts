export type Lang = 'ja' | 'en';

const T = {
  title: ['運用ダッシュボード', 'Operations dashboard'],
  fleet: ['端末一覧', 'Fleet'],
  live: ['ライブ', 'Live'],
  alerts: ['アラート', 'Alerts'],
  audit: ['監査ログ', 'Audit'],
  ops: ['運用操作', 'Operations'],
  signIn: ['サインイン', 'Sign in'],
  signOut: ['サインアウト', 'Sign out'],
  name: ['オペレーター名', 'Operator name'],
  password: ['パスワード', 'Password'],
  wrongPassword: ['名前またはパスワードが違います', 'Wrong name or password'],
  locked: ['アカウントはロック中です。再試行まで {s} 秒', 'Account locked. Try again in {s} s'],
  forbidden: ['この操作の権限がありません', 'Your role does not allow this'],
  sessionOver: [
    'セッションが終了しました。再度サインインしてください',
    'Your session ended. Please sign in again',
  ],
  status: ['状態', 'Status'],
  red: ['停止', 'Red'],
  yellow: ['注意', 'Yellow'],
  green: ['正常', 'Green'],
  revoked: ['失効', 'Revoked'],
  trouble: ['異常のみ', 'Trouble only'],
  all: ['すべて', 'All'],
  search: ['店舗・市区町村・端末IDで検索', 'Search store, municipality, kiosk id'],
  prefecture: ['都道府県', 'Prefecture'],
  municipality: ['市区町村', 'Municipality'],
  store: ['店舗', 'Store'],
  kiosk: ['端末', 'Kiosk'],
  lastSeen: ['最終ハートビート', 'Last heartbeat'],
  devices: ['機器', 'Devices'],
  software: ['ソフトウェア', 'Software'],
  prev: ['前へ', 'Previous'],
  next: ['次へ', 'Next'],
  of: ['{a}–{b} / {n} 台', '{a}–{b} of {n}'],
  mapLegend: [
    '色: 異常端末の割合（赤=停止、黄=注意）。クリックで絞り込み',
    'Colour: share of kiosks in trouble (red, yellow). Click to filter',
  ],
  clearFilter: ['絞り込み解除', 'Clear filter'],
  history: ['ヘルス履歴', 'Health history'],
  transactions: [
    '最近の取引（ID・結果・時刻・コードのみ）',
    'Recent transactions (ids, outcome, timing, codes only)',
  ],
  revoke: ['失効させる', 'Revoke'],
  reason: ['理由', 'Reason'],
  confirmRevoke: ['この端末を失効させます。元に戻せません。', 'This revokes the kiosk. It cannot be undone.'],
  online: ['接続中', 'Online'],
  offline: ['未接続', 'Offline'],
  sessions: ['セッション', 'Sessions'],
  handshakes: ['ハンドシェイク/秒', 'Handshakes/s'],
  requests: ['リクエスト/秒', 'Requests/s'],
  latency: ['遅延 (ms) p50/p95/p99', 'Latency (ms) p50/p95/p99'],
  errors: ['エラー（コード別）', 'Errors by code'],
  process: ['リレープロセス', 'Relay process'],
  total: ['合計', 'Total'],
  staleness: ['共有状態の鮮度', 'Shared-state staleness'],
  ack: ['確認', 'Acknowledge'],
  acked: ['確認済み ({by})', 'Acknowledged ({by})'],
  selfClearing: ['自動解除', 'Self-clearing'],
  cleared: ['解除済み', 'Cleared'],
  needsAck: ['要確認', 'Needs acknowledgement'],
  kind: ['種別', 'Kind'],
  severity: ['重要度', 'Severity'],
  at: ['日時', 'Time'],
  requestId: ['リクエストID', 'Request id'],
  from: ['開始', 'From'],
  to: ['終了', 'To'],
  check: ['ハッシュチェーン検証', 'Check hash chain'],
  chainOk: ['チェーンは正常です（{n} 件）', 'Chain intact ({n} records)'],
  chainBroken: ['チェーンがレコード {seq} で壊れています', 'Chain broken at record {seq}'],
  codes: ['登録コード', 'Enrollment codes'],
  createCode: ['登録コード発行', 'Create enrollment code'],
  codeCreated: ['コード: {code}（有効期限 {exp}）', 'Code: {code} (expires {exp})'],
  stops: ['発行停止（キルスイッチ）', 'Kill switch'],
  stop: ['停止', 'Stop'],
  resume: ['再開', 'Resume'],
  scope: ['範囲（fleet または市区町村コード）', 'Scope (fleet or municipality code)'],
  vrs: ['VRS エンドポイント', 'VRS endpoints'],
  breaker: ['ブレーカー', 'Breaker'],
  up: ['接続', 'Up'],
  processes: ['リレープロセス', 'Relay processes'],
  operators: ['オペレーター', 'Operators'],
  role: ['役割', 'Role'],
  bans: ['遮断', 'Bans'],
  detail: ['詳細', 'Detail'],
  none: ['なし', 'None'],
  done: ['完了', 'Done'],
  dbDown: [
    'データベースに接続できません（{since} から）。このリレープロセスが把握している状態を表示しています。変更はできません',
    'Database unreachable (since {since}). Showing what this relay process knows; changes are refused',
  ],
} as const;

export type Key = keyof typeof T;

let lang: Lang = (localStorage.getItem('lang') as Lang | null) ?? 'ja';

export const getLang = (): Lang => lang;
export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('lang', l);
  document.documentElement.lang = l;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  let s: string = T[key][lang === 'ja' ? 0 : 1];
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

const ISSUE: Record<string, [string, string]> = {
  offline: ['未接続', 'offline'],
  reader: ['カードリーダー', 'card reader'],
  printer: ['プリンター', 'printer'],
  paper: ['用紙', 'paper'],
  pinpad: ['暗証番号パッド', 'PIN pad'],
  coin: ['硬貨投入口', 'coin acceptor'],
  hopper: ['釣銭ホッパー', 'change hopper'],
  note: ['紙幣識別機', 'note validator'],
  fault: ['故障', 'fault'],
  disconnected: ['未接続', 'unplugged'],
  jam: ['詰まり', 'jam'],
  'cover-open': ['カバー開', 'cover open'],
  low: ['残りわずか', 'low'],
  out: ['切れ', 'out'],
  empty: ['空', 'empty'],
  unknown: ['不明', 'unknown'],
  full: ['満杯', 'full'],
  'cashbox-removed': ['金庫なし', 'cash box removed'],
};

/** `printer.paper-out` → 「プリンター 用紙切れ」 / "printer: out"; `hopper.100.empty` → "change hopper 100 yen: empty". */
export function issueText(issue: string): string {
  const parts = issue.split('.');
  const i = lang === 'ja' ? 0 : 1;
  return parts
    .map((p) => ISSUE[p]?.[i] ?? (/^\d+$/.test(p) ? (lang === 'ja' ? `${p}円` : `${p} yen`) : p))
    .join(lang === 'ja' ? ' ' : ': ');
}
