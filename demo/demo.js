// meshcall demo: a small chat app whose conversations can be called, built on the published bundle
// exactly as a user's page would (the bundle registers the elements; the page drives the shared controller).
import { avatarColorOf, callController, describeCall, initialsOf } from '/dist/meshcall.bundle.js';

const USERS = [
  { id: 'alice', name: 'Alice' },
  { id: 'bob', name: 'Bob' },
  { id: 'carol', name: 'Carol' },
  { id: 'dave', name: 'Dave' },
];
const userById = new Map(USERS.map((user) => [user.id, user]));
const TEAM_ID = 'team';

// ---------------------------------------------------------------------------------------------
// Small DOM helpers
// ---------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** Creates an element; text children are set as text, never parsed as HTML. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const ICONS = {
  phone:
    'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
  camera: 'M4 6h10a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zm13 4.5 5-3v9l-5-3z',
  close: 'M6 6l12 12M18 6 6 18',
  alert: 'M12 3 2 20h20L12 3zm0 6v5m0 3v.5',
  info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 9v6m0-10v.5',
};

/** A decorative inline icon (the text next to it carries the meaning). */
function icon(name, className = 'icon') {
  const svgElement = document.createElementNS(SVG_NS, 'svg');
  svgElement.setAttribute('viewBox', '0 0 24 24');
  svgElement.setAttribute('aria-hidden', 'true');
  svgElement.setAttribute('focusable', 'false');
  svgElement.setAttribute('class', `${className} icon--${name}`);
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svgElement.append(path);
  return svgElement;
}

function nameOf(id) {
  return userById.get(id)?.name ?? id;
}

function listNames(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Fills an avatar circle: a person's initials and colour (the library's rule, as on call tiles), or a group's. */
function paintAvatar(element, conversationOrUser) {
  element.textContent = conversationOrUser.initials ?? initialsOf(conversationOrUser.name);
  element.style.setProperty('--avatar-color', conversationOrUser.color ?? avatarColorOf(conversationOrUser.id));
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function formatDuration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const mm = String(minutes % 60).padStart(hours ? 2 : 1, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

// ---------------------------------------------------------------------------------------------
// Who is this tab?
// ---------------------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const me = userById.get(params.get('user') ?? '') ?? null;

if (!me) showPicker();
else startApp(me);

function showPicker() {
  document.body.dataset.view = 'picker';
  $('picker').hidden = false;
  const list = $('picker-list');
  for (const user of USERS) {
    const avatar = h('span', { className: 'avatar avatar--large', 'aria-hidden': 'true' });
    paintAvatar(avatar, user);
    list.append(
      h(
        'li',
        {},
        h(
          'a',
          { className: 'picker-card', href: `?user=${encodeURIComponent(user.id)}` },
          avatar,
          h('span', { className: 'picker-name' }, user.name),
          h('span', { className: 'picker-action' }, `Continue as ${user.name}`),
        ),
      ),
    );
  }
  $('picker-list').querySelector('a')?.focus();
}

// ---------------------------------------------------------------------------------------------
// The chat app
// ---------------------------------------------------------------------------------------------

function startApp(self) {
  document.body.dataset.view = 'app';
  document.title = `${self.name} · meshcall demo`;
  $('app').hidden = false;
  $('me').hidden = false;
  $('me-name').textContent = self.name;
  paintAvatar($('me-avatar'), self);

  const others = USERS.filter((user) => user.id !== self.id);

  /** @type {Map<string, {id: string, name: string, members: string[], kind: 'direct' | 'group', color?: string, initials?: string}>} */
  const conversations = new Map();
  for (const user of others) {
    const id = `dm-${[self.id, user.id].sort().join('-')}`;
    conversations.set(id, { id, name: user.name, members: [self.id, user.id], kind: 'direct', color: avatarColorOf(user.id) });
  }
  conversations.set(TEAM_ID, {
    id: TEAM_ID,
    name: 'Team',
    members: USERS.map((user) => user.id),
    kind: 'group',
    color: '#334155',
    initials: 'T',
  });

  /** Calls can come from conversations this tab does not list (a DM between two others, say). */
  function ensureConversation(call) {
    const existing = conversations.get(call.conversationId);
    if (existing) return existing;
    const members = [...new Set([call.caller.id, self.id, ...call.participants.keys()])];
    const conversation = {
      id: call.conversationId,
      name: call.conversationTitle ?? listNames(members.filter((id) => id !== self.id).map(nameOf)),
      members,
      kind: 'group',
      adHoc: true,
      color: '#475569',
      initials: '+',
    };
    conversations.set(conversation.id, conversation);
    messages.set(conversation.id, []);
    renderSidebar();
    return conversation;
  }

  const otherMembers = (conversation) => conversation.members.filter((id) => id !== self.id);

  function describeConversation(conversation) {
    return conversation.kind === 'direct'
      ? `Direct message with ${conversation.name}`
      : `${conversation.members.length} members: ${listNames(conversation.members.map((id) => (id === self.id ? 'you' : nameOf(id))))}`;
  }

  // ---- messages: a static sample script per conversation, plus what is typed here ----

  const messages = new Map();
  const today = new Date();
  const at = (hours, minutes) => new Date(today.getFullYear(), today.getMonth(), today.getDate(), hours, minutes).getTime();
  const DIRECT_SCRIPTS = [
    [
      ['them', 'Hey! Do you have a minute to go over the release notes?'],
      ['me', 'Sure, just finishing something. Give me a call?'],
      ['them', 'Calling you in five.'],
    ],
    [
      ['me', 'Did the new build fix the echo on your side?'],
      ['them', 'Yes, it sounds much better now.'],
      ['me', 'Great, let’s try video next time.'],
    ],
    [
      ['them', 'Lunch tomorrow?'],
      ['me', 'Yes! 12:30 at the usual place?'],
      ['them', 'Perfect, see you there.'],
    ],
  ];
  for (const conversation of conversations.values()) {
    if (conversation.kind === 'direct') {
      const other = otherMembers(conversation)[0];
      // A pair sees the same script from both sides: pick it from the pair, not from the viewer.
      const pair = conversation.members.map((id) => USERS.findIndex((user) => user.id === id));
      const script = DIRECT_SCRIPTS[(pair[0] + pair[1]) % DIRECT_SCRIPTS.length];
      const starter = pair[0] < pair[1] ? conversation.members[0] : conversation.members[1];
      const second = starter === self.id ? other : self.id;
      messages.set(
        conversation.id,
        script.map(([who, text], index) => ({
          from: who === 'them' ? second : starter,
          text,
          at: at(9, 5 + index * 3 + pair[0] + pair[1]),
        })),
      );
    } else {
      messages.set(conversation.id, [
        { from: 'alice', text: 'Morning all! Stand-up at 10?', at: at(8, 52) },
        { from: 'bob', text: 'Works for me.', at: at(8, 54) },
        { from: 'carol', text: 'I’ll share the demo from there.', at: at(8, 55) },
        { from: 'dave', text: 'Running five minutes late, start without me.', at: at(9, 58) },
      ]);
    }
  }

  // ---- call log: the library's call history (callController.history, in IndexedDB per user) ----

  /** The user's past calls, newest first, as the library keeps them. */
  let callLog = [];

  async function loadCallLog() {
    callLog = await callController.history.list();
    renderSidebar();
    renderTimeline();
  }

  /** Opening a conversation, with the page in front of the user, means its missed calls were seen. */
  function markSeenIfShown() {
    if (document.visibilityState !== 'visible' || !callController.history.missedCountOf(selectedId)) return;
    void callController.history.markSeen(selectedId);
  }

  /** How a call log entry reads in the timeline, and whether it counts as missed. */
  function describeLogEntry(entry) {
    const kind = entry.video ? 'video call' : 'voice call';
    const Kind = entry.video ? 'Video call' : 'Voice call';
    const caller = nameOf(entry.caller.id);
    const incoming = entry.direction === 'incoming';
    switch (entry.outcome) {
      case 'completed':
        return { text: `${Kind} · ${formatDuration(entry.duration)}`, missed: false };
      case 'missed':
        return { text: `Missed ${kind} from ${caller}`, missed: true };
      case 'declined':
        return incoming ? { text: `Declined ${kind} from ${caller}`, missed: false } : { text: `${Kind} declined`, missed: true };
      case 'cancelled':
        return { text: `Cancelled ${kind}`, missed: false };
      case 'no-answer':
        return { text: `${Kind} · no answer`, missed: true };
      case 'busy':
        return { text: `${Kind} · busy`, missed: true };
      case 'answered-elsewhere':
        return { text: `${Kind} answered on another device`, missed: false };
      default:
        return { text: `${Kind} · ${entry.failureReason === 'unavailable' ? 'offline' : 'failed'}`, missed: true };
    }
  }

  // ---- selection ----

  let selectedId = conversations.has(params.get('conversation') ?? '') ? params.get('conversation') : [...conversations.keys()][0];

  function conversationUrl(id) {
    const url = new URL(location.href);
    url.searchParams.set('user', self.id);
    url.searchParams.set('conversation', id);
    return `${url.pathname}${url.search}`;
  }

  function select(id) {
    if (!conversations.has(id)) return;
    selectedId = id;
    history.replaceState(null, '', conversationUrl(id));
    markSeenIfShown();
    renderSidebar();
    renderConversation();
    renderCall();
  }

  // ---- rendering ----

  function renderStatus() {
    const state = callController.state;
    document.body.dataset.callState = state;
    const texts = {
      disconnected: 'You’re offline',
      connecting: hasConnected ? 'Reconnecting…' : 'Connecting…',
      idle: 'You’re online',
      outgoing: 'Calling…',
      incoming: 'Incoming call',
      active: 'In a call',
      ending: 'Ending call…',
    };
    $('connection-text').textContent = texts[state] ?? state;
    $('connection-status').dataset.state = state;
    $('reconnect').hidden = state !== 'disconnected' || connecting;
  }

  function lastActivity(conversationId) {
    const lastMessage = messages.get(conversationId)?.at(-1);
    const lastCall = callLog.find((entry) => entry.conversationId === conversationId);
    if (lastCall && (!lastMessage || lastCall.endedAt > lastMessage.at)) return describeLogEntry(lastCall).text;
    if (!lastMessage) return '';
    return `${lastMessage.from === self.id ? 'You' : nameOf(lastMessage.from)}: ${lastMessage.text}`;
  }

  /** "2" on the conversation, "2 missed calls" to a screen reader. */
  function missedBadge(count) {
    return h(
      'span',
      { className: 'badge badge--missed' },
      h('span', { 'aria-hidden': 'true' }, String(count)),
      h('span', { className: 'visually-hidden' }, count === 1 ? '1 missed call' : `${count} missed calls`),
    );
  }

  function renderSidebar() {
    const call = callController.call;
    const list = $('conversation-list');
    list.replaceChildren(
      ...[...conversations.values()].map((conversation) => {
        const avatar = h('span', { className: 'avatar', 'aria-hidden': 'true' });
        paintAvatar(avatar, conversation);
        const callHere = call !== null && call.conversationId === conversation.id;
        const missed = callController.history.missedCountOf(conversation.id);
        const badge =
          callHere && callController.state === 'incoming'
            ? h('span', { className: 'badge' }, 'Ringing')
            : callHere && isInCall()
              ? h('span', { className: 'badge badge--live' }, 'In call')
              : missed > 0
                ? missedBadge(missed)
                : null;
        return h(
          'li',
          {},
          h(
            'a',
            {
              className: 'conversation-link',
              href: conversationUrl(conversation.id),
              'aria-current': conversation.id === selectedId ? 'page' : false,
              'data-conversation': conversation.id,
              onclick: (event) => {
                if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                event.preventDefault();
                select(conversation.id);
              },
            },
            avatar,
            h(
              'span',
              { className: 'conversation-link-text' },
              h('span', { className: 'conversation-link-name' }, conversation.name),
              h('span', { className: 'conversation-link-preview' }, lastActivity(conversation.id)),
            ),
            badge,
          ),
        );
      }),
    );
  }

  function renderConversation() {
    const conversation = conversations.get(selectedId);
    paintAvatar($('conversation-avatar'), conversation);
    $('conversation-title').textContent = conversation.name;
    $('conversation-members').textContent = describeConversation(conversation);
    const call = callController.call;
    $('conversation-call-badge').hidden = !(call && call.conversationId === conversation.id && isInCall());

    const participants = otherMembers(conversation).join(' ');
    for (const button of [$('voice-call'), $('video-call')]) {
      button.setAttribute('conversation', conversation.id);
      button.setAttribute('participants', participants);
      // The callee sees it under "Voice call · Team"; a direct call is named after its caller anyway.
      if (conversation.kind === 'group') button.setAttribute('conversation-title', conversation.name);
      else button.removeAttribute('conversation-title');
    }
    const who = conversation.kind === 'direct' ? conversation.name : conversation.name.toLowerCase();
    $('voice-call').title = `Voice call with ${who}`;
    $('video-call').title = `Video call with ${who}`;

    const callHistory = $('call-history');
    callHistory.setAttribute('conversation', conversation.id);
    callHistory.setAttribute('label', `Calls with ${conversation.kind === 'direct' ? conversation.name : 'the team'}`);

    $('composer-label').textContent = `Message ${conversation.name}`;
    $('composer-input').placeholder = `Message ${conversation.name}`;
    renderTimeline();
  }

  function renderTimeline() {
    const items = [
      ...(messages.get(selectedId) ?? []).map((message) => ({ type: 'message', ...message })),
      ...callLog.filter((entry) => entry.conversationId === selectedId).map((entry) => ({ type: 'call', at: entry.endedAt, entry })),
    ].sort((a, b) => a.at - b.at);
    const timeline = $('timeline');
    if (items.length === 0) {
      timeline.replaceChildren(h('li', { className: 'timeline-empty' }, 'No messages yet. Say hello, or start a call.'));
      return;
    }
    timeline.replaceChildren(
      ...items.map((item) => {
        const time = h('time', { className: 'timeline-time', datetime: new Date(item.at).toISOString() }, timeFormat.format(item.at));
        if (item.type === 'call') {
          const { text, missed } = describeLogEntry(item.entry);
          return h(
            'li',
            { className: `timeline-call${missed ? ' timeline-call--missed' : ''}` },
            icon(item.entry.video ? 'camera' : 'phone'),
            h('span', {}, text),
            time,
          );
        }
        const mine = item.from === self.id;
        const sender = userById.get(item.from);
        const avatar = h('span', { className: 'avatar avatar--small', 'aria-hidden': 'true' });
        paintAvatar(avatar, sender);
        return h(
          'li',
          { className: `message${mine ? ' message--mine' : ''}` },
          mine ? null : avatar,
          h(
            'div',
            { className: 'message-bubble' },
            h('span', { className: mine ? 'visually-hidden' : 'message-sender' }, mine ? 'You' : sender.name),
            h('p', { className: 'message-text' }, item.text),
            time,
          ),
        );
      }),
    );
    scrollTimelineToEnd();
  }

  const scrollTimelineToEnd = () => {
    const scroller = $('timeline').parentElement;
    scroller.scrollTop = scroller.scrollHeight;
  };
  // The call panel opening or closing resizes the timeline: keep the latest messages in view.
  new ResizeObserver(scrollTimelineToEnd).observe($('timeline').parentElement);

  const isInCall = () => callController.state === 'outgoing' || callController.state === 'active';

  /** A participant's name as this page knows it (gossiped participants may carry only their id). */
  function participantName(participant) {
    return userById.get(participant.id)?.name ?? participant.name ?? participant.id;
  }

  /**
   * The call's title names who is in it now (while ringing out, who is being rung), not who the
   * conversation was with: people join and leave during a call.
   */
  function callTitle(call) {
    const kind = call.video ? 'Video call' : 'Voice call';
    const remote = [...call.participants.values()].filter((participant) => participant.state !== 'left');
    const joined = remote.filter((participant) => participant.state !== 'ringing');
    const names = (joined.length ? joined : remote).map(participantName);
    const conversation = conversations.get(call.conversationId);
    // A named group says where the call is; a direct or ad-hoc conversation is named after people anyway.
    const where = conversation?.kind === 'group' && !conversation.adHoc ? ` · ${conversation.name}` : '';
    return names.length ? `${kind} with ${listNames(names)}${where}` : `${kind}${where}`;
  }

  function callStatusText(call) {
    const remote = [...call.participants.values()].filter((participant) => participant.state !== 'left');
    const ringing = remote.filter((participant) => participant.state === 'ringing').map((participant) => nameOf(participant.id));
    const joined = remote.filter((participant) => participant.state !== 'ringing');
    const parts = [];
    if (callController.state === 'active' && call.answeredAt) parts.push(formatDuration(Date.now() - call.answeredAt));
    if (joined.length) parts.push(`${joined.length + 1} in the call`);
    if (ringing.length) parts.push(`Ringing ${listNames(ringing)}…`);
    return parts.join(' · ');
  }

  let durationTimer = 0;

  function renderCall() {
    const call = callController.call;
    const shown = isInCall() && call !== null;
    $('call-panel').hidden = !shown;
    document.body.classList.toggle('in-call', shown);
    // On a phone the call takes the screen and the conversation steps aside (and back): focus on
    // something that went away moves to what took its place, not to the start of the page.
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused.getClientRects().length === 0) {
      (shown ? $('call-panel') : $('conversation')).focus({ preventScroll: true });
    }
    if (!shown) {
      closeAddPerson();
      clearInterval(durationTimer);
      durationTimer = 0;
      return;
    }
    const panel = $('call-panel');
    const count = 1 + [...call.participants.values()].filter((participant) => participant.state !== 'left').length;
    panel.dataset.count = String(count);
    panel.dataset.video = String(call.video);
    // The grid shows a shared screen large: it may use the panel's whole width.
    const presenting = call.local.screenStream || [...call.participants.values()].some((participant) => participant.state !== 'left' && participant.screenStream);
    panel.dataset.presenting = String(Boolean(presenting));
    $('call-title').textContent = callTitle(call);
    $('call-status').textContent = callStatusText(call);
    const link = $('call-conversation-link');
    link.hidden = call.conversationId === selectedId || !conversations.has(call.conversationId);
    link.href = conversationUrl(call.conversationId);
    link.textContent = `Open ${conversations.get(call.conversationId)?.name ?? 'conversation'}`;
    renderAddPerson(call);
    if (callController.state === 'active' && !durationTimer) {
      durationTimer = setInterval(() => {
        const current = callController.call;
        if (current) $('call-status').textContent = callStatusText(current);
      }, 1000);
    }
  }

  // ---- "Add person" menu ----

  function invitable(call) {
    return others.filter((user) => {
      const participant = call.participants.get(user.id);
      return !participant || participant.state === 'left';
    });
  }

  function renderAddPerson(call) {
    const candidates = invitable(call);
    const list = $('add-person-list');
    if (candidates.length === 0) {
      list.replaceChildren(h('li', { className: 'add-person-empty' }, 'Everyone is already in the call.'));
      return;
    }
    list.replaceChildren(
      ...candidates.map((user) => {
        const avatar = h('span', { className: 'avatar avatar--small', 'aria-hidden': 'true' });
        paintAvatar(avatar, user);
        return h(
          'li',
          {},
          h(
            'button',
            { type: 'button', className: 'add-person-option', 'data-user': user.id, onclick: () => invite(user) },
            avatar,
            h('span', {}, user.name),
            h('span', { className: 'add-person-hint' }, 'Ring'),
          ),
        );
      }),
    );
  }

  function invite(user) {
    // A failed method rejects and is reported nowhere else.
    callController.invite([{ id: user.id, name: user.name }]).catch(showError);
    closeAddPerson({ restoreFocus: true });
  }

  function openAddPerson() {
    $('add-person-menu').hidden = false;
    $('add-person').setAttribute('aria-expanded', 'true');
    $('add-person-menu').querySelector('button')?.focus();
  }

  function closeAddPerson({ restoreFocus = false } = {}) {
    if ($('add-person-menu').hidden) return;
    $('add-person-menu').hidden = true;
    $('add-person').setAttribute('aria-expanded', 'false');
    if (restoreFocus) $('add-person').focus();
  }

  $('add-person').addEventListener('click', () => {
    if ($('add-person-menu').hidden) openAddPerson();
    else closeAddPerson();
  });
  $('add-person-menu').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeAddPerson({ restoreFocus: true });
    }
  });
  document.addEventListener('click', (event) => {
    const path = event.composedPath();
    if (!path.includes($('add-person-menu')) && !path.includes($('add-person'))) closeAddPerson();
  });

  // Each tile's resolution, frame rate, bitrate, round trip, loss and codec, for the curious and for support.
  $('call-stats-toggle').addEventListener('click', () => {
    const grid = $('call-grid');
    grid.showStats = !grid.showStats;
    $('call-stats-toggle').setAttribute('aria-pressed', String(grid.showStats));
  });

  $('call-conversation-link').addEventListener('click', (event) => {
    event.preventDefault();
    const call = callController.call;
    if (call) select(call.conversationId);
  });

  // <call-button> rings user ids; starting the call here instead also gives the controller the
  // names, so the ringing tiles read "Carol" rather than "carol" before anyone answers.
  document.addEventListener('call-start', (event) => {
    event.preventDefault();
    callController
      .startCall({
        conversationId: event.conversationId,
        conversationTitle: event.conversationTitle ?? undefined,
        participants: event.participants.map((id) => ({ id, name: nameOf(id) })),
        video: event.video,
      })
      .catch(showError);
  });

  // ---- composer (local only) ----

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('composer-input');
    const text = input.value.trim();
    if (!text) return;
    messages.get(selectedId).push({ from: self.id, text, at: Date.now() });
    input.value = '';
    renderTimeline();
    renderSidebar();
  });

  // ---- toasts ----

  const TOAST_TIMEOUT = { info: 6000, missed: 8000, error: 12000 };

  /**
   * Shows a toast. Errors go to the assertive region, notices to the polite one; both time out
   * (errors later), and the timer waits while the pointer or focus is on the toast.
   * - `key`: a toast with the same key (by default, the same text) replaces the previous one
   *   rather than stacking a duplicate.
   * - `condition`: the toast reports a condition (the server is unreachable, say) and is removed
   *   as soon as {@link clearCondition} says it has cleared, whatever its timer.
   */
  function notify({ message, title = '', kind = 'info', actions = [], key = '', condition = '', timeout = TOAST_TIMEOUT[kind] ?? 6000 }) {
    const region = kind === 'error' ? $('alerts') : $('notices');
    const dedupeKey = key || `${title}\n${message}`;
    for (const existing of document.querySelectorAll('.toast')) {
      if (existing.dataset.key === dedupeKey) dismiss(existing);
    }
    const toast = h(
      'div',
      { className: `toast toast--${kind}`, 'data-key': dedupeKey, 'data-condition': condition || null },
      icon(kind === 'error' ? 'alert' : 'info', 'toast-icon'),
      h(
        'div',
        { className: 'toast-body' },
        title ? h('p', { className: 'toast-title' }, title) : null,
        h('p', { className: 'toast-message' }, message),
        actions.length
          ? h(
              'div',
              { className: 'toast-actions' },
              actions.map((action) =>
                action.href
                  ? h('a', { className: 'button button--small', href: action.href }, action.label)
                  : h(
                      'button',
                      {
                        type: 'button',
                        className: 'button button--small',
                        onclick: () => {
                          dismiss(toast);
                          action.onClick();
                        },
                      },
                      action.label,
                    ),
              ),
            )
          : null,
      ),
      h(
        'button',
        { type: 'button', className: 'toast-close', title: 'Dismiss', onclick: () => dismiss(toast) },
        icon('close'),
        h('span', { className: 'visually-hidden' }, 'Dismiss'),
      ),
    );
    region.append(toast);
    // A burst of events must not bury the page: keep the newest few.
    const toasts = document.querySelectorAll('.toast');
    for (const old of [...toasts].slice(0, Math.max(0, toasts.length - 4))) dismiss(old);
    if (timeout) startTimer(toast, timeout);
    return toast;
  }

  const toastTimers = new WeakMap();

  /** Removes the toast after `timeout` ms, not counting the time the user is pointing at or inside it. */
  function startTimer(toast, timeout) {
    const timer = { remaining: timeout, startedAt: 0, id: 0, holds: new Set() };
    toastTimers.set(toast, timer);
    const run = () => {
      timer.startedAt = Date.now();
      timer.id = setTimeout(() => dismiss(toast), timer.remaining);
    };
    const hold = (reason) => {
      if (timer.holds.size === 0) {
        clearTimeout(timer.id);
        timer.remaining = Math.max(1500, timer.remaining - (Date.now() - timer.startedAt));
      }
      timer.holds.add(reason);
    };
    const release = (reason) => {
      if (!timer.holds.delete(reason) || timer.holds.size > 0) return;
      run();
    };
    toast.addEventListener('pointerenter', () => hold('pointer'));
    toast.addEventListener('pointerleave', () => release('pointer'));
    toast.addEventListener('focusin', () => hold('focus'));
    toast.addEventListener('focusout', (event) => {
      if (!toast.contains(event.relatedTarget)) release('focus');
    });
    run();
  }

  function dismiss(toast) {
    clearTimeout(toastTimers.get(toast)?.id);
    // Focus inside a toast that goes away would fall back to the page's start.
    if (toast.contains(document.activeElement)) $('conversation').focus();
    toast.remove();
  }

  /** The condition a toast reported is over (the server answers again, say): its toasts go. */
  function clearCondition(condition) {
    for (const toast of document.querySelectorAll('.toast')) {
      if (toast.dataset.condition === condition) dismiss(toast);
    }
  }

  /** What a `CallError` means for the person in front of this tab. */
  function errorMessage(error) {
    const who = error.userId ? nameOf(error.userId) : 'They';
    switch (error.type) {
      case 'permission-denied':
        return {
          title: 'Camera or microphone blocked',
          message: 'Allow access to your camera and microphone in the browser’s site settings, then try again.',
        };
      case 'device-not-found':
        return { title: 'No device found', message: 'No microphone or camera was found. Plug one in and try again.' };
      case 'device-in-use':
        return { title: 'Device busy', message: 'Your camera or microphone is in use by another app. Close it and try again.' };
      case 'overconstrained':
        return { title: 'Device unsuitable', message: error.message };
      case 'insecure-context':
        return { title: 'Secure page needed', message: 'Open the demo over https or on localhost to use the microphone and camera.' };
      case 'media-failed':
        return { title: 'Media problem', message: 'Your microphone or camera could not be started.' };
      case 'peer-unavailable':
        return { message: `${who} is offline. They need this demo open to take a call.` };
      case 'server-unreachable':
        return {
          title: 'Can’t reach the call server',
          message: 'Check that the demo server is running. Calls in progress continue.',
          condition: 'server',
          actions: callController.state === 'disconnected' ? [{ label: 'Try again', onClick: connect }] : [],
        };
      case 'identity-in-use':
        return {
          title: 'Already open elsewhere',
          message: `${self.name} is already open in another tab. Close it there, or continue as someone else.`,
          condition: 'server',
          actions: [
            { label: 'Try again', onClick: connect },
            { label: 'Switch user', href: './' },
          ],
        };
      case 'unauthorized':
        return {
          title: 'Signed out',
          message: 'The call server did not accept this tab’s login. Try again to sign in afresh.',
          condition: 'server',
          actions: [{ label: 'Try again', onClick: connect }],
        };
      case 'not-connected':
        return { message: 'You are not connected to the call server yet. Wait a moment and try again.', condition: 'server' };
      case 'invalid-state':
        return { message: error.message };
      case 'connection-failed':
        // Only reaches here when they stayed in the call (a lost connection is said by their leaving).
        return { message: error.userId ? `There was a problem with the connection to ${who}.` : 'A connection failed.' };
      case 'protocol-error':
        return { message: `${who} is using an incompatible version of the app.` };
      default:
        return { message: error.message || 'Something went wrong.' };
    }
  }

  // Each failure arrives once: from the element whose action failed, from the controller when no one
  // awaited it, or as the rejection of a method the page called itself.
  function showError(error) {
    if (!error) return;
    // <permission-help> explains these, with the steps for this browser (the demo places calls itself:
    // their rejections reach the help only from here).
    if ($('permission-help').show(error)) return;
    if (error.userId && (error.type === 'connection-failed' || error.type === 'peer-unavailable')) {
      // The controller reports these just before it removes the participant (in the same task):
      // then their leaving, or the end of the call, says what happened, once. Wait to see which.
      queueMicrotask(() => {
        if (!departedRecently(error.userId)) notify({ kind: 'error', key: `person:${error.userId}`, ...errorMessage(error) });
      });
      return;
    }
    notify({ kind: 'error', ...errorMessage(error) });
  }
  document.addEventListener('call-error', (event) => showError(event.error));

  // ---- who came and went in each call: what the leave and end announcements are made of ----

  /** Per call id: who has been in the call (not just rung), and who left, in order, and why. */
  const callHistories = new Map();
  /** When each user last left a call of ours, to tell a lost connection from a passing problem. */
  const departedAt = new Map();

  function historyOf(call) {
    let history = callHistories.get(call.id);
    if (!history) {
      history = { joined: new Set(), departures: [] };
      callHistories.set(call.id, history);
      if (callHistories.size > 5) callHistories.delete(callHistories.keys().next().value);
    }
    for (const participant of call.participants.values()) {
      if (participant.state === 'connecting' || participant.state === 'connected') history.joined.add(participant.id);
    }
    return history;
  }

  const departedRecently = (userId) => Date.now() - (departedAt.get(userId) ?? -Infinity) < 2000;

  /** What a participant leaving a call that goes on means, by the controller's reason. */
  function leaveAnnouncement(name, reason, joined) {
    switch (reason) {
      case 'declined':
        return { message: `${name} declined` };
      case 'busy':
        return { message: `${name} is in another call` };
      case 'no-answer':
        return { message: `${name} didn’t answer` };
      case 'unavailable':
        return { title: `${name} isn’t available`, message: 'They need this demo open to take a call.' };
      case 'connection-lost':
        return { kind: 'error', message: `Lost the connection with ${name}` };
      case 'cancelled':
        return { message: joined ? `${name} left the call` : `Stopped ringing ${name}` };
      default:
        // `hangup`. From someone who never joined, it came second-hand (from another participant,
        // who does not pass on why): they may have declined, been busy or offline.
        return { message: joined ? `${name} left the call` : `${name} didn’t join the call` };
    }
  }

  /** What ended a call, said briefly, naming who it was about; null when nothing needs saying. */
  function endedMessage(call, reason) {
    const history = historyOf(call);
    const last = history.departures.at(-1);
    // The last one to leave ended the call; they are no longer among the call's participants.
    const name = last?.name ?? (listNames([...call.participants.values()].map(participantName)) || 'They');
    const key = last ? `person:${last.id}` : '';
    const incoming = call.direction === 'incoming';
    const caller = nameOf(call.caller.id);
    switch (reason) {
      case 'missed':
        return { kind: 'missed', message: `Missed call from ${caller}` };
      case 'cancelled':
        return incoming ? { kind: 'missed', message: `Missed call from ${caller}` } : { message: 'Call cancelled' };
      case 'declined':
        return incoming ? null : { key, message: `${name} declined the call` };
      case 'busy':
        return { key, message: `${name} is in another call` };
      case 'no-answer':
        return { key, message: `${name} didn’t answer` };
      case 'unavailable':
        return { key, title: `${name} isn’t available`, message: 'They need this demo open to take a call.' };
      case 'remote-hangup':
        return { message: 'Call ended' };
      case 'hangup':
        return null; // We hung up ourselves; the call log says how long it lasted.
      case 'crossed':
        return null; // We called each other at once; their call goes on.
      case 'connection-lost':
        return { key, kind: 'error', title: 'Call dropped', message: `Lost the connection with ${name}` };
      case 'error':
        // A call of ours that failed before anyone answered (the devices refused, say): the
        // rejection of startCall() says why, once.
        if (!incoming && !call.answeredAt) return null;
        return { kind: 'error', message: 'The call could not continue' };
      default:
        return { message: 'Call ended' };
    }
  }

  // ---- controller ----

  let hasConnected = false;
  let connecting = false;

  // Registered first: who has joined is noted before any other listener looks.
  for (const type of ['call-incoming', 'call-participant-joined', 'call-participant-change', 'call-participant-left']) {
    callController.addEventListener(type, (event) => historyOf(event.call));
  }

  // Registered with the server again, during a call too: what said it could not be reached is over.
  callController.addEventListener('call-signalling-change', (event) => {
    if (event.state === 'connected') clearCondition('server');
  });

  callController.addEventListener('call-state-change', (event) => {
    if (event.state === 'idle') hasConnected = true;
    if (callController.call) historyOf(callController.call);
    const call = callController.call;
    if (event.state === 'active' && call) {
      ensureConversation(call);
      // Answering a call takes you to its conversation; a caller is there already.
      if (event.previousState === 'incoming') select(call.conversationId);
    }
    renderStatus();
    renderSidebar();
    renderConversation();
    renderCall();
  });

  callController.addEventListener('call-incoming', (event) => ensureConversation(event.call));

  // Call notifications for a background tab: the permission is asked from this button's click
  // (the controller would also ask when this user first places or accepts a call).
  function renderNotificationsButton() {
    $('enable-notifications').hidden = typeof Notification === 'undefined' || Notification.permission !== 'default';
  }
  $('enable-notifications').addEventListener('click', async () => {
    await callController.requestNotificationPermission();
    renderNotificationsButton();
  });
  renderNotificationsButton();
  // The controller also asks when a call is first placed or accepted: the button goes with any answer.
  navigator.permissions
    ?.query({ name: 'notifications' })
    .then((status) => status.addEventListener('change', renderNotificationsButton))
    .catch(() => undefined);

  for (const type of ['call-participant-joined', 'call-participant-left', 'call-participant-change']) {
    callController.addEventListener(type, () => renderCall());
  }

  callController.addEventListener('call-participant-left', (event) => {
    const { call, participant, reason } = event;
    const history = historyOf(call);
    const name = participantName(participant);
    const joined = history.joined.has(participant.id);
    history.departures.push({ id: participant.id, name, reason });
    departedAt.set(participant.id, Date.now());
    // Only a call we are in is ours to comment on (not one still ringing us).
    if (!isInCall()) return;
    // The last one leaving ends the call: `call-ended` says it.
    const stillThere = [...call.participants.values()].some((other) => other.state !== 'left');
    if (!stillThere) return;
    // Said about this call only: the toast goes when the call ends.
    notify({ key: `person:${participant.id}`, condition: `call:${call.id}`, ...leaveAnnouncement(name, reason, joined) });
  });

  callController.addEventListener('call-ended', (event) => {
    ensureConversation(event.call);
    clearCondition(`call:${event.call.id}`);
    const text = endedMessage(event.call, event.reason);
    if (text) notify(text);
    renderSidebar();
    renderTimeline();
  });

  // The server forgot this tab's login (it restarted): a host app would sign in again from its own
  // session, and so does the demo, once in a while; only a refusal of a fresh login is shown.
  let lastSignIn = 0;
  callController.addEventListener('call-error', (event) => {
    if (event.error.type === 'unauthorized' && Date.now() - lastSignIn > 30000) {
      lastSignIn = Date.now();
      setTimeout(connect, 300);
      return;
    }
    showError(event.error);
  });

  // Outside a call "Devices" is the pre-join check (camera, microphone level, devices, then call from
  // there on the tracks it opened); during a call it switches devices.
  $('device-settings').addEventListener('click', () => {
    const state = callController.state;
    if (state === 'idle' || state === 'incoming') openPreview();
    else $('device-dialog').showModal();
  });
  $('incoming-preview').addEventListener('click', openPreview);

  function openPreview() {
    const preview = $('call-preview');
    const conversation = conversations.get(selectedId);
    preview.setAttribute('conversation', conversation.id);
    preview.setAttribute('participants', otherMembers(conversation).join(' '));
    if (callController.state === 'incoming') preview.removeAttribute('join-label');
    else preview.setAttribute('join-label', conversation.kind === 'direct' ? `Call ${conversation.name}` : `Call ${conversation.name.toLowerCase()}`);
    if (!$('preview-dialog').open) $('preview-dialog').showModal();
    callController.startPreview().catch(showError);
  }

  // Closing the check without a call releases the camera and microphone (a call took them over otherwise).
  $('preview-dialog').addEventListener('close', () => void callController.stopPreview());
  document.addEventListener('call-preview-close', () => $('preview-dialog').close());
  document.addEventListener('call-preview-join', (event) => {
    $('preview-dialog').close();
    // Answering is the element's own action; a call placed from here gets the names, as call-start does.
    if (callController.state !== 'idle') return;
    event.preventDefault();
    const conversation = conversations.get(selectedId);
    callController
      .startCall({
        conversationId: conversation.id,
        conversationTitle: conversation.kind === 'group' ? conversation.name : undefined,
        participants: otherMembers(conversation).map((id) => ({ id, name: nameOf(id) })),
        video: event.video,
      })
      .catch(showError);
  });
  callController.addEventListener('call-incoming', (event) => {
    $('incoming-description').textContent = describeCall(event.call);
  });
  // A device lost mid-call, or a remembered one missing: say which one took over.
  callController.addEventListener('call-device-fallback', (event) => {
    const kind = event.kind;
    const replacement = event.device?.label || (event.device ? `another ${kind}` : null);
    const message =
      event.reason === 'lost'
        ? replacement
          ? `Your ${kind} was disconnected; now using ${replacement}.`
          : `Your ${kind} was disconnected and no other ${kind} works.`
        : `The ${kind} you chose is not connected; using ${replacement ?? 'the default'}.`;
    notify({ message, key: `device:${kind}` });
  });

  // One presenter at a time: the library stopped our share for someone else's.
  callController.addEventListener('call-screen-share-ended', (event) => {
    if (event.reason !== 'taken-over' || !event.by) return;
    notify({ message: `${participantName(event.by)} is presenting now; your screen is no longer shared.`, condition: `call:${event.call.id}` });
  });

  // The call log: every call's entry, a missed-call badge per conversation (what "Missed call from
  // Bob" toasts and timeline entries are made of comes from the same entries).
  callController.addEventListener('call-history-add', (event) => {
    if (event.entry.conversationId === selectedId) markSeenIfShown();
    void loadCallLog();
  });
  callController.addEventListener('call-history-change', () => void loadCallLog());
  callController.addEventListener('call-history-missed-change', () => {
    markSeenIfShown();
    renderSidebar();
  });
  document.addEventListener('visibilitychange', markSeenIfShown);

  $('history-toggle').addEventListener('click', () => {
    const panel = $('history-panel');
    panel.hidden = !panel.hidden;
    $('history-toggle').setAttribute('aria-expanded', String(!panel.hidden));
  });

  async function turnCredentials(token) {
    const response = await fetch('/turn-credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: self.id, token }),
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`turn-credentials: HTTP ${response.status}`);
    return response.json();
  }

  async function connect() {
    if (connecting || callController.state !== 'disconnected') return;
    connecting = true;
    renderStatus();
    $('connection-text').textContent = 'Connecting…';
    try {
      const response = await fetch('/config.json', { cache: 'no-store' });
      if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
      const config = await response.json();
      // The demo server's stand-in for a login: a token for this user, which its signalling server asks for.
      const login = await fetch('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: self.id }),
        cache: 'no-store',
      });
      if (!login.ok) throw new Error(`login: HTTP ${login.status}`);
      const { token } = await login.json();
      await callController.connect({
        user: { id: self.id, name: self.name },
        server: { ...config.server, token },
        // With the demo's coturn: credentials that expire, asked of the demo server again before they do.
        iceServers: config.turn ? () => turnCredentials(token) : (config.iceServers ?? []),
        // Names come from this app's user list, whatever a caller's page calls itself.
        resolveUser: (id) => (userById.has(id) ? { name: userById.get(id).name } : null),
      });
    } catch (error) {
      if (error?.name === 'CallError') {
        showError(error);
      } else {
        notify({
          kind: 'error',
          condition: 'server',
          title: 'Can’t load the demo settings',
          message: 'The demo server did not answer. Is it still running?',
          actions: [{ label: 'Try again', onClick: connect }],
        });
      }
    } finally {
      connecting = false;
      renderStatus();
    }
  }

  $('reconnect').addEventListener('click', connect);

  // Leaving the page may keep it alive in the back/forward cache, and with it this user's
  // registration on the signalling server: coming back as the same user (or pressing Back) would
  // then be refused as "already open in another tab". Unregister on the way out, register again
  // if the page is restored.
  addEventListener('pagehide', () => {
    void callController.disconnect();
  });
  addEventListener('pageshow', (event) => {
    if (event.persisted) connect();
  });

  renderStatus();
  renderSidebar();
  renderConversation();
  renderCall();
  connect();
}
