/** A tiny element builder: no framework, no innerHTML (nothing from a view is ever parsed as HTML). */
export interface Props {
  class?: string;
  text?: string;
  testid?: string;
  role?: string;
  label?: string;
  live?: 'polite' | 'assertive';
  onClick?: () => void;
  attrs?: Record<string, string>;
}

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.testid) el.dataset['testid'] = props.testid;
  if (props.role) el.setAttribute('role', props.role);
  if (props.label) el.setAttribute('aria-label', props.label);
  if (props.live) el.setAttribute('aria-live', props.live);
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.onClick) {
    const onClick = props.onClick;
    el.addEventListener('click', () => onClick());
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A large touch button. */
export function button(
  label: string,
  onClick: () => void,
  opts: { testid?: string; kind?: string } = {},
): HTMLButtonElement {
  const b = h('button', {
    text: label,
    class: `btn ${opts.kind ?? ''}`.trim(),
    onClick,
    attrs: { type: 'button' },
    ...(opts.testid ? { testid: opts.testid } : {}),
  });
  return b;
}
