/**
 * Notion workspaces for the emulator: `demo` (≈50 pages, 2 databases, every documented block type, mentions, files)
 * and a generated one (`{ pages, blocksPerPage }`) for benchmarks and resume tests.
 */
import { NotionStore, equationText, mentionDate, mentionPage, mentionUser, rt, text, type BlockSpec } from './store.js';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export type NotionSeed = 'demo' | { pages: number; blocksPerPage: number };

/** `demo`, or `<pages>x<blocksPerPage>` (e.g. 300x20). */
export function parseNotionSeed(s: string): NotionSeed {
  if (s === 'demo') return 'demo';
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new Error(`--notion must be demo or <pages>x<blocksPerPage> (e.g. 300x20), got ${JSON.stringify(s)}`);
  const pages = Number(m[1]);
  const blocksPerPage = Number(m[2]);
  if (pages < 1 || pages > 100_000 || blocksPerPage < 0 || blocksPerPage > 10_000) throw new Error('--notion: pages must be 1..100000 and blocks per page 0..10000');
  return { pages, blocksPerPage };
}

export function seedNotion(seed: NotionSeed): NotionStore {
  return seed === 'demo' ? demo() : generated(seed.pages, seed.blocksPerPage);
}

const file = (key: string) => ({ type: 'file', file: { url: `@file:${key}` } });
const p = (...items: Parameters<typeof rt>): BlockSpec => ({ type: 'paragraph', payload: rt(...items) });

function demo(): NotionStore {
  const s = new NotionStore();
  const ada = s.addUser('Ada Lovelace', 'ada@example.com');
  s.addUser('Grace Hopper', 'grace@example.com');
  const home = s.addPage({ type: 'workspace', workspace: true }, 'Team Handbook');
  const guide = s.addPage({ type: 'page_id', page_id: home.id }, 'Block Gallery');
  const onboarding = s.addPage({ type: 'page_id', page_id: home.id }, 'Onboarding');
  const img = s.addFile('diagram.png', 'image/png', PNG_1X1);
  const pdf = s.addFile('policy.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n% emulator sample\n%%EOF\n'));
  const doc = s.addFile('notes.txt', 'text/plain', Buffer.from('plain notes attached in Notion\n'));

  s.append(home.id, p('Welcome to the ', text('team handbook', { bold: true }), '. Start with ', mentionPage(onboarding.id, 'Onboarding'), ' or see the ', mentionPage(guide.id, 'Block Gallery'), '.'));
  s.append(home.id, { type: 'link_to_page', payload: { type: 'page_id', page_id: guide.id } });

  const blocks: BlockSpec[] = [
    { type: 'heading_1', payload: { ...rt('Headings'), is_toggleable: false } },
    { type: 'heading_2', payload: { ...rt('Second level'), is_toggleable: false } },
    { type: 'heading_3', payload: { ...rt('Third level'), is_toggleable: false } },
    p('Plain, ', text('bold', { bold: true }), ', ', text('italic', { italic: true }), ', ', text('struck', { strikethrough: true }), ', ', text('underlined', { underline: true }), ', ', text('code', { code: true }), ', ', text('a link', { link: 'https://example.com/docs' }), ', ', text('red', { color: 'red' }), '.'),
    p('Owner: ', mentionUser(ada), ', due ', mentionDate('2026-03-01'), ', sprint ', mentionDate('2026-03-02', '2026-03-13'), ', inline math ', equationText('e^{i\\pi}+1=0'), '.'),
    { type: 'bulleted_list_item', payload: rt('First bullet'), children: [{ type: 'bulleted_list_item', payload: rt('Nested bullet') }] },
    { type: 'bulleted_list_item', payload: rt('Second bullet') },
    { type: 'numbered_list_item', payload: rt('Step one') },
    { type: 'numbered_list_item', payload: rt('Step two'), children: [{ type: 'numbered_list_item', payload: rt('Step two, part a') }] },
    { type: 'to_do', payload: { ...rt('Write the handbook'), checked: true } },
    { type: 'to_do', payload: { ...rt('Review it'), checked: false } },
    { type: 'toggle', payload: rt('Click to open'), children: [p('Hidden until opened.')] },
    { type: 'heading_2', payload: { ...rt('Toggle heading'), is_toggleable: true }, children: [p('Inside a toggleable heading.')] },
    { type: 'callout', payload: { ...rt('Remember to lock your screen.'), icon: { type: 'emoji', emoji: '💡' }, color: 'yellow_background' } },
    { type: 'callout', payload: { ...rt('Production is frozen on Fridays.'), icon: { type: 'emoji', emoji: '⚠️' }, color: 'red_background' } },
    { type: 'quote', payload: rt('Simplicity is prerequisite for reliability.') },
    { type: 'code', payload: { rich_text: [text('const answer = 42;\nconsole.log(answer);')], caption: [], language: 'javascript' } },
    { type: 'code', payload: { rich_text: [text('SELECT 1;')], caption: [text('a query')], language: 'sql' } },
    { type: 'equation', payload: { expression: 'E = mc^2' } },
    { type: 'divider', payload: {} },
    {
      type: 'table',
      payload: { table_width: 3, has_column_header: true, has_row_header: false },
      children: [
        { type: 'table_row', payload: { cells: [[text('Tool')], [text('Owner')], [text('Status')]] } },
        { type: 'table_row', payload: { cells: [[text('Wiki')], [text('Docs team')], [text('live', { bold: true })]] } },
        { type: 'table_row', payload: { cells: [[text('Chat')], [text('IT')], [text('pilot')]] } },
      ],
    },
    {
      type: 'column_list',
      payload: {},
      children: [
        { type: 'column', payload: { width_ratio: 0.5 }, children: [p('Left column text.')] },
        { type: 'column', payload: { width_ratio: 0.5 }, children: [p('Right column text.')] },
      ],
    },
    { type: 'bookmark', payload: { url: 'https://example.com/bookmarked', caption: [text('A bookmark')] } },
    { type: 'embed', payload: { url: 'https://example.com/embedded-widget', caption: [] } },
    { type: 'image', payload: { ...file(img), caption: [text('Architecture diagram')] } },
    { type: 'image', payload: { type: 'external', external: { url: 'https://example.com/logo.png' }, caption: [] } },
    { type: 'file', payload: { ...file(doc), caption: [], name: 'notes.txt' } },
    { type: 'pdf', payload: { ...file(pdf), caption: [text('The policy')] } },
    { type: 'video', payload: { type: 'external', external: { url: 'https://www.youtube.com/watch?v=abc123' }, caption: [] } },
    { type: 'audio', payload: { type: 'external', external: { url: 'https://example.com/sound.mp3' }, caption: [] } },
    { type: 'link_preview', payload: { url: 'https://github.com/example/repo/pull/1' } },
    { type: 'table_of_contents', payload: { color: 'default' } },
    { type: 'breadcrumb', payload: {} },
    { type: 'template', payload: rt('New meeting notes') },
    { type: 'unsupported', payload: {} },
  ];
  for (const b of blocks) s.append(guide.id, b);
  const original = s.append(guide.id, { type: 'synced_block', payload: { synced_from: null }, children: [p('Synced content shown in two places.')] });
  s.append(onboarding.id, { type: 'synced_block', payload: { synced_from: { type: 'block_id', block_id: original } } });
  s.append(onboarding.id, p('Back to the ', mentionPage(home.id, 'Team Handbook'), '.'));
  s.append(onboarding.id, { type: 'heading_2', payload: { ...rt('First week'), is_toggleable: false } });
  s.append(onboarding.id, { type: 'to_do', payload: { ...rt('Get a laptop'), checked: false } });

  // Two databases: a task board (rows with content) and a glossary (rows without).
  const tasks = s.addDatabase(home.id, 'Projects', {
    Name: { type: 'title', title: {} },
    Status: { type: 'status', status: { options: [{ name: 'Not started', color: 'default' }, { name: 'In progress', color: 'blue' }, { name: 'Done', color: 'green' }] } },
    Owner: { type: 'people', people: {} },
    Due: { type: 'date', date: {} },
    Tags: { type: 'multi_select', multi_select: { options: [] } },
    Budget: { type: 'number', number: { format: 'euro' } },
    Done: { type: 'checkbox', checkbox: {} },
    Link: { type: 'url', url: {} },
  });
  const tasksDs = tasks.dataSourceId;
  const statuses = ['Not started', 'In progress', 'Done'];
  for (let i = 1; i <= 8; i++) {
    const row = s.addPage({ type: 'data_source_id', data_source_id: tasksDs, database_id: tasks.id }, `Project ${i}`, {
      Status: { id: 'p1', type: 'status', status: { name: statuses[i % 3], color: 'default' } },
      Owner: { id: 'p2', type: 'people', people: [{ object: 'user', id: ada.id, name: ada.name }] },
      Due: { id: 'p3', type: 'date', date: { start: `2026-0${(i % 9) + 1}-15`, end: null, time_zone: null } },
      Tags: { id: 'p4', type: 'multi_select', multi_select: [{ name: 'q1', color: 'red' }, { name: i % 2 ? 'infra' : 'docs', color: 'blue' }] },
      Budget: { id: 'p5', type: 'number', number: i * 1000 },
      Done: { id: 'p6', type: 'checkbox', checkbox: i % 3 === 0 },
      Link: { id: 'p7', type: 'url', url: i % 2 ? `https://example.com/p/${i}` : null },
    }, 'Name');
    if (i <= 5) {
      s.append(row.id, { type: 'heading_2', payload: { ...rt('Goal'), is_toggleable: false } });
      s.append(row.id, p(`Deliver project ${i}; see `, mentionPage(home.id, 'Team Handbook'), '.'));
    }
  }
  const glossary = s.addDatabase(onboarding.id, 'Glossary', {
    Term: { type: 'title', title: {} },
    Meaning: { type: 'rich_text', rich_text: {} },
    Kind: { type: 'select', select: { options: [] } },
  }, true);
  for (const [term, meaning] of [['SLA', 'service level agreement'], ['RFC', 'request for comments'], ['OKR', 'objectives and key results'], ['ADR', 'architecture decision record']] as const) {
    s.addPage({ type: 'data_source_id', data_source_id: glossary.dataSourceId, database_id: glossary.id }, term, {
      Meaning: { id: 'p1', type: 'rich_text', rich_text: [text(meaning)] },
      Kind: { id: 'p2', type: 'select', select: { name: 'acronym', color: 'gray' } },
    }, 'Term');
  }

  // A tree of ordinary pages: 4 areas × 8 pages, some with children, to reach ≈50 pages.
  const areas = ['Engineering', 'Design', 'Sales', 'People'];
  for (const area of areas) {
    const a = s.addPage({ type: 'page_id', page_id: home.id }, area);
    s.append(a.id, p(`Everything about ${area.toLowerCase()}.`));
    for (let i = 1; i <= 8; i++) {
      const child = s.addPage({ type: 'page_id', page_id: a.id }, `${area} note ${i}`);
      s.append(child.id, { type: 'heading_2', payload: { ...rt(`Note ${i}`), is_toggleable: false } });
      s.append(child.id, p(`Written for ${area}. Related: `, mentionPage(guide.id, 'Block Gallery'), '.'));
      s.append(child.id, { type: 'bulleted_list_item', payload: rt('point a') });
      s.append(child.id, { type: 'bulleted_list_item', payload: rt('point b') });
    }
  }
  // Two pages with the same title in different places: Confluence needs unique titles per space.
  s.addPage({ type: 'page_id', page_id: guide.id }, 'Engineering note 1');
  return s;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

function generated(pages: number, blocksPerPage: number): NotionStore {
  const s = new NotionStore();
  const root = s.addPage({ type: 'workspace', workspace: true }, 'Generated workspace');
  // A tree with fan-out 20: section pages under the root, leaf pages under the sections.
  const sections: string[] = [];
  let made = 1;
  let sectionPage = root.id;
  while (made < pages) {
    if (made % 20 === 1) {
      const sec = s.addPage({ type: 'page_id', page_id: root.id }, `Section ${sections.length + 1}`);
      sections.push(sec.id);
      sectionPage = sec.id;
      made++;
      continue;
    }
    s.addPage({ type: 'page_id', page_id: sectionPage }, `Page ${made}`);
    made++;
  }
  for (const id of [...s.pages.keys()]) fillPage(s, id, blocksPerPage);
  return s;
}

function fillPage(s: NotionStore, pageId: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const w = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i}`;
    switch (i % 10) {
      case 0:
        s.append(pageId, { type: 'heading_2', payload: { ...rt(`Heading ${i}`), is_toggleable: false } });
        break;
      case 3:
        s.append(pageId, { type: 'bulleted_list_item', payload: rt(`item ${w}`) });
        break;
      case 4:
        s.append(pageId, { type: 'to_do', payload: { ...rt(`task ${w}`), checked: i % 20 === 4 } });
        break;
      case 7:
        s.append(pageId, { type: 'code', payload: { rich_text: [text(`print("${w}")`)], caption: [], language: 'python' } });
        break;
      default:
        s.append(pageId, p(`Paragraph ${w} with `, text('bold', { bold: true }), ' and more text to make it a realistic length for a paragraph of notes.'));
    }
  }
}
