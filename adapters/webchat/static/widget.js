/*
 * Switchboard web chat widget. Plain JavaScript, no framework.
 *
 *   <script src="https://HUB/widget.js" data-widget="NAME" async></script>
 *
 * Optional attributes: data-user-id, data-user-hash (hex HMAC-SHA256 of the
 * user id with the widget secret, computed by the site's server),
 * data-user-name, data-user-email, data-open="true". The same can be given
 * as window.SwitchboardChat = {user: {id, hash, name, email}} before the
 * script loads. window.SwitchboardChat.open(), .close() and .identify(user)
 * control the widget afterwards.
 *
 * Protocol: see the Go package adapters/webchat.
 */
(function () {
  'use strict';

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[data-widget]');
    return all[all.length - 1];
  })();
  if (!script) return;
  var name = script.getAttribute('data-widget') || '';
  var base = new URL(script.src, location.href).origin;
  var api = window.SwitchboardChat = window.SwitchboardChat || {};
  api.widgets = api.widgets || {};
  if (!name || api.widgets[name]) return;

  var T = {
    en: {
      open: 'Chat with us', close: 'Close chat', online: 'We are online', offline: 'We are offline',
      placeholder: 'Write a message…', send: 'Send', attach: 'Attach a file', record: 'Record a voice message',
      stop: 'Stop and send', deleted: 'Message deleted', sending: 'Sending…', failed: 'Not sent.', retry: 'Retry',
      typing: ' is typing…', someone: 'Someone', email: 'Leave your email address and we will reply by email:',
      emailSave: 'Save', emailSaved: 'Thank you, we will reply to your email address.',
      rate: 'How was this conversation?', comment: 'Anything to add? (optional)', rated: 'Thank you for your rating!',
      verify: 'Enter the code we emailed to ', verifyBtn: 'Verify', wrong: 'That code is not right. Tries left: ',
      expired: 'The code expired. Ask for a new one.', verified: 'Your email address is verified.',
      consent: 'To chat with us, we process the messages you write. ', accept: 'Start the chat',
      reconnecting: 'Reconnecting…', voice: 'Voice message', openPage: 'Open page', newConv: 'New conversation',
      tooBig: 'This file is too large. The limit is ', star: ' stars', you: 'You', file: 'File'
    },
    de: {
      open: 'Chatten Sie mit uns', close: 'Chat schließen', online: 'Wir sind online', offline: 'Wir sind offline',
      placeholder: 'Nachricht schreiben…', send: 'Senden', attach: 'Datei anhängen', record: 'Sprachnachricht aufnehmen',
      stop: 'Stoppen und senden', deleted: 'Nachricht gelöscht', sending: 'Wird gesendet…', failed: 'Nicht gesendet.',
      retry: 'Erneut senden', typing: ' schreibt…', someone: 'Jemand',
      email: 'Hinterlassen Sie Ihre E-Mail-Adresse, wir antworten per E-Mail:', emailSave: 'Speichern',
      emailSaved: 'Danke, wir antworten an Ihre E-Mail-Adresse.', rate: 'Wie war dieses Gespräch?',
      comment: 'Möchten Sie etwas ergänzen? (optional)', rated: 'Danke für Ihre Bewertung!',
      verify: 'Geben Sie den Code ein, den wir gesendet haben an ', verifyBtn: 'Bestätigen',
      wrong: 'Der Code stimmt nicht. Verbleibende Versuche: ', expired: 'Der Code ist abgelaufen.',
      verified: 'Ihre E-Mail-Adresse ist bestätigt.', consent: 'Für den Chat verarbeiten wir Ihre Nachrichten. ',
      accept: 'Chat starten', reconnecting: 'Verbindung wird hergestellt…', voice: 'Sprachnachricht',
      openPage: 'Seite öffnen', newConv: 'Neues Gespräch', tooBig: 'Die Datei ist zu groß. Höchstens ',
      star: ' Sterne', you: 'Sie', file: 'Datei'
    },
    fr: {
      open: 'Discutez avec nous', close: 'Fermer', online: 'Nous sommes en ligne', offline: 'Nous sommes hors ligne',
      placeholder: 'Écrivez un message…', send: 'Envoyer', attach: 'Joindre un fichier', record: 'Message vocal',
      stop: 'Arrêter et envoyer', deleted: 'Message supprimé', sending: 'Envoi…', failed: 'Non envoyé.',
      retry: 'Réessayer', typing: ' écrit…', someone: 'Quelqu’un',
      email: 'Laissez votre adresse e-mail, nous répondrons par e-mail :', emailSave: 'Enregistrer',
      emailSaved: 'Merci, nous répondrons à votre adresse.', rate: 'Comment s’est passée cette conversation ?',
      comment: 'Un commentaire ? (facultatif)', rated: 'Merci pour votre note !',
      verify: 'Saisissez le code envoyé à ', verifyBtn: 'Vérifier', wrong: 'Code incorrect. Essais restants : ',
      expired: 'Le code a expiré.', verified: 'Votre adresse e-mail est vérifiée.',
      consent: 'Pour discuter, nous traitons les messages que vous écrivez. ', accept: 'Commencer',
      reconnecting: 'Reconnexion…', voice: 'Message vocal', openPage: 'Ouvrir la page', newConv: 'Nouvelle conversation',
      tooBig: 'Fichier trop volumineux. Limite : ', star: ' étoiles', you: 'Vous', file: 'Fichier'
    },
    es: {
      open: 'Chatea con nosotros', close: 'Cerrar', online: 'Estamos en línea', offline: 'Estamos desconectados',
      placeholder: 'Escribe un mensaje…', send: 'Enviar', attach: 'Adjuntar archivo', record: 'Mensaje de voz',
      stop: 'Detener y enviar', deleted: 'Mensaje eliminado', sending: 'Enviando…', failed: 'No enviado.',
      retry: 'Reintentar', typing: ' está escribiendo…', someone: 'Alguien',
      email: 'Déjanos tu correo y te responderemos por correo:', emailSave: 'Guardar',
      emailSaved: 'Gracias, te responderemos por correo.', rate: '¿Qué tal fue esta conversación?',
      comment: '¿Algo que añadir? (opcional)', rated: '¡Gracias por tu valoración!',
      verify: 'Introduce el código enviado a ', verifyBtn: 'Verificar', wrong: 'Código incorrecto. Intentos: ',
      expired: 'El código caducó.', verified: 'Tu correo está verificado.',
      consent: 'Para chatear, procesamos los mensajes que escribes. ', accept: 'Empezar',
      reconnecting: 'Reconectando…', voice: 'Mensaje de voz', openPage: 'Abrir página', newConv: 'Nueva conversación',
      tooBig: 'Archivo demasiado grande. Límite: ', star: ' estrellas', you: 'Tú', file: 'Archivo'
    }
  };

  var key = 'sbwc:' + name + ':';
  var store = {
    get: function (k) { try { return localStorage.getItem(key + k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(key + k, v); } catch (e) { /* private mode */ } },
    del: function (k) { try { localStorage.removeItem(key + k); } catch (e) { /* private mode */ } },
    sget: function (k) { try { return sessionStorage.getItem(key + k); } catch (e) { return null; } },
    sset: function (k, v) { try { sessionStorage.setItem(key + k, v); } catch (e) { /* private mode */ } }
  };

  var S = {
    cfg: null, ws: null, token: store.get('token'), last: '', since: 0, online: false, attempt: 0,
    timer: 0, beat: 0, heard: 0, open: store.sget('open') === '1' || script.getAttribute('data-open') === 'true',
    pending: {}, seen: {}, acks: {}, transfer: script.getAttribute('data-transfer') || '',
    consent: store.get('consent') === '1', user: null, typingSent: 0, typingStop: 0, refused: false,
    hasEmail: false, identified: false, recorder: null, lastConv: ''
  };
  var uid = script.getAttribute('data-user-id');
  if (api.user && api.user.id) S.user = api.user;
  else if (uid) {
    S.user = { id: uid, hash: script.getAttribute('data-user-hash') || '',
      name: script.getAttribute('data-user-name') || '', email: script.getAttribute('data-user-email') || '' };
  }

  function t(k) { var l = (S.cfg && S.cfg.locale || 'en').slice(0, 2).toLowerCase(); return (T[l] || T.en)[k] || T.en[k]; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function rid() {
    var a = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KB' : n + ' B'; }
  function url(path) { return base + path; }
  function prefix() { return '/webchat/' + encodeURIComponent(name); }

  // ---- DOM --------------------------------------------------------------

  var host = el('div');
  host.id = 'sbwc-' + name;
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var css = ':host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.sbwc-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;' +
    'background:var(--c);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '.sbwc-launcher svg{width:26px;height:26px;fill:#fff}.sbwc-launcher[data-unread]:after{content:attr(data-unread);' +
    'position:absolute;top:-2px;right:-2px;background:#d93025;color:#fff;border-radius:9px;padding:0 6px;font-size:12px}' +
    '.sbwc-panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 24px);height:540px;' +
    'max-height:calc(100vh - 110px);background:#fff;color:#1f2328;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);' +
    'display:flex;flex-direction:column;overflow:hidden;z-index:2147483001}.sbwc-panel[hidden]{display:none}' +
    '.sbwc-head{background:var(--c);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}' +
    '.sbwc-title{font-weight:600;flex:1}.sbwc-head button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}' +
    '.sbwc-status{font-size:12px;opacity:.9}.sbwc-status:before{content:"";display:inline-block;width:8px;height:8px;' +
    'border-radius:50%;margin-right:5px;background:#bbb}.sbwc-status.on:before{background:#3ecf5a}' +
    '.sbwc-list{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px;background:#f7f8fa}' +
    '.sbwc-msg{max-width:80%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}' +
    '.sbwc-visitor{align-self:flex-end;background:var(--c);color:#fff}.sbwc-operator{align-self:flex-start;background:#fff;' +
    'border:1px solid #e3e5e8}.sbwc-system,.sbwc-note{align-self:center;background:none;color:#667;font-size:12px;text-align:center}' +
    '.sbwc-deleted{font-style:italic;opacity:.65}.sbwc-meta{display:block;font-size:11px;opacity:.7;margin-top:3px}' +
    '.sbwc-msg a{color:inherit}.sbwc-msg img{max-width:100%;border-radius:6px;display:block;margin-top:4px}' +
    '.sbwc-msg audio{max-width:100%;margin-top:4px}.sbwc-failed{outline:2px solid #d93025}' +
    '.sbwc-box{padding:10px 12px;border-top:1px solid #e3e5e8;background:#fff}.sbwc-box[hidden]{display:none}' +
    '.sbwc-box input{border:1px solid #c9ccd1;border-radius:6px;padding:6px 8px;width:60%}' +
    '.sbwc-box button,.sbwc-compose button{border:0;background:var(--c);color:#fff;border-radius:6px;padding:6px 10px;cursor:pointer}' +
    '.sbwc-stars button{background:none;color:#f5a623;font-size:22px;padding:0 2px}' +
    '.sbwc-err{color:#b3261e;font-size:12px;padding:0 12px}.sbwc-err:empty{display:none}' +
    '.sbwc-typing{font-size:12px;color:#667;padding:0 12px;min-height:16px}' +
    '.sbwc-compose{display:flex;gap:6px;padding:8px;border-top:1px solid #e3e5e8;align-items:flex-end}' +
    '.sbwc-input{flex:1;resize:none;border:1px solid #c9ccd1;border-radius:8px;padding:8px;max-height:120px;min-height:38px}' +
    '.sbwc-compose .sbwc-icon{background:none;padding:6px;line-height:0}.sbwc-icon svg{width:20px;height:20px;fill:#555}' +
    '.sbwc-icon[hidden]{display:none}.sbwc-rec svg{fill:#d93025}.sbwc-card{display:block;margin-top:6px;padding:6px 8px;border-radius:6px;' +
    'background:#eef3fd;color:#1a4fb5!important;text-decoration:none}';
  var style = el('style', null, css);
  var launcher = el('button', 'sbwc-launcher');
  launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var panel = el('div', 'sbwc-panel');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  var head = el('div', 'sbwc-head');
  var title = el('div', 'sbwc-title');
  var status = el('div', 'sbwc-status');
  var closeBtn = el('button', 'sbwc-close', '×');
  var titleWrap = el('div');
  titleWrap.style.flex = '1';
  titleWrap.appendChild(title);
  titleWrap.appendChild(status);
  head.appendChild(titleWrap);
  head.appendChild(closeBtn);
  var list = el('div', 'sbwc-list');
  list.setAttribute('aria-live', 'polite');
  var consentBox = el('div', 'sbwc-box sbwc-consent');
  var offlineBox = el('div', 'sbwc-box sbwc-offline');
  var ratingBox = el('div', 'sbwc-box sbwc-rating');
  var verifyBox = el('div', 'sbwc-box sbwc-verify');
  var typingLine = el('div', 'sbwc-typing');
  var errLine = el('div', 'sbwc-err');
  var compose = el('div', 'sbwc-compose');
  var input = el('textarea', 'sbwc-input');
  input.rows = 1;
  var fileInput = el('input', 'sbwc-file');
  fileInput.type = 'file';
  fileInput.multiple = true;
  fileInput.hidden = true;
  var attachBtn = el('button', 'sbwc-icon sbwc-attach');
  attachBtn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"/></svg>';
  var voiceBtn = el('button', 'sbwc-icon sbwc-voice');
  voiceBtn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9z"/></svg>';
  var sendBtn = el('button', 'sbwc-send');
  [attachBtn, voiceBtn, sendBtn, closeBtn, launcher].forEach(function (b) { b.type = 'button'; });
  [fileInput, attachBtn, voiceBtn, input, sendBtn].forEach(function (e) { compose.appendChild(e); });
  [consentBox, offlineBox, ratingBox, verifyBox].forEach(function (b) { b.hidden = true; });
  [head, list, typingLine, offlineBox, ratingBox, verifyBox, consentBox, errLine, compose].forEach(function (e) { panel.appendChild(e); });
  root.appendChild(style);
  root.appendChild(launcher);
  root.appendChild(panel);

  function applyConfig(cfg) {
    S.cfg = cfg;
    host.style.setProperty('--c', cfg.color || '#2f6fde');
    title.textContent = cfg.title;
    launcher.setAttribute('aria-label', t('open'));
    closeBtn.setAttribute('aria-label', t('close'));
    input.placeholder = t('placeholder');
    sendBtn.textContent = t('send');
    attachBtn.title = t('attach');
    voiceBtn.title = t('record');
    attachBtn.hidden = !cfg.features.uploads;
    voiceBtn.hidden = !(cfg.features.voice && window.MediaRecorder && navigator.mediaDevices);
    if (cfg.accept) fileInput.accept = cfg.accept;
    if (!list.firstChild && cfg.greeting) list.appendChild(el('div', 'sbwc-msg sbwc-operator sbwc-greeting', cfg.greeting));
    setOnline(S.online);
  }

  function setOnline(on) {
    S.online = on;
    status.textContent = on ? t('online') : t('offline');
    status.className = 'sbwc-status' + (on ? ' on' : '');
    renderOffline();
  }

  function renderOffline() {
    var cfg = S.cfg;
    offlineBox.textContent = '';
    if (!cfg || S.online) { offlineBox.hidden = true; return; }
    if (cfg.offline_text) offlineBox.appendChild(el('div', null, cfg.offline_text));
    if (cfg.features.email_capture && !S.hasEmail && !S.identified) {
      var f = el('form', 'sbwc-email');
      f.appendChild(el('div', null, t('email')));
      var e = el('input');
      e.type = 'email';
      e.required = true;
      f.appendChild(e);
      f.appendChild(el('button', null, t('emailSave')));
      f.onsubmit = function (ev) { ev.preventDefault(); sendFrame({ type: 'email', email: e.value.trim() }); };
      offlineBox.appendChild(f);
    }
    offlineBox.hidden = !offlineBox.firstChild;
  }

  function show(open) {
    S.open = open;
    store.sset('open', open ? '1' : '0');
    panel.hidden = !open;
    if (open) {
      launcher.removeAttribute('data-unread');
      if (S.cfg && S.cfg.features.privacy_mode && !S.consent) renderConsent();
      else ensureConnected();
      ackAll();
      setTimeout(function () { list.scrollTop = list.scrollHeight; input.focus(); }, 0);
    }
  }
  launcher.onclick = function () { show(panel.hidden); };
  closeBtn.onclick = function () { show(false); };

  function renderConsent() {
    consentBox.textContent = '';
    consentBox.appendChild(el('span', null, t('consent')));
    var b = el('button', null, t('accept'));
    b.type = 'button';
    b.onclick = function () {
      S.consent = true;
      store.set('consent', '1');
      consentBox.hidden = true;
      compose.hidden = false;
      ensureConnected();
    };
    consentBox.appendChild(b);
    consentBox.hidden = false;
    compose.hidden = true;
  }

  // ---- messages -----------------------------------------------------------

  function linkify(node, text) {
    var re = /\bhttps?:\/\/[^\s<>"]+/g, at = 0, m;
    while ((m = re.exec(text))) {
      node.appendChild(document.createTextNode(text.slice(at, m.index)));
      var a = el('a', null, m[0]);
      a.href = m[0];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      node.appendChild(a);
      at = m.index + m[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  function fileNode(f) {
    var src = url(f.url), node;
    if (/^image\//.test(f.type) && !/svg/.test(f.type)) {
      node = el('img');
      node.src = src;
      node.alt = f.name;
    } else if (/^(audio|video)\//.test(f.type) || f.voice) {
      node = el('audio');
      node.controls = true;
      node.src = src;
      node.title = f.voice ? t('voice') : f.name;
    } else {
      node = el('a', null, '⬇ ' + f.name + ' (' + size(f.size) + ')');
      node.href = src;
      node.target = '_blank';
      node.rel = 'noopener';
    }
    return node;
  }

  function time(ms) {
    try { return new Date(ms).toLocaleTimeString(S.cfg && S.cfg.locale || undefined, { hour: '2-digit', minute: '2-digit' }); } catch (e) { return ''; }
  }

  function render(m) {
    var cls = 'sbwc-msg sbwc-' + m.from + (m.deleted ? ' sbwc-deleted' : '');
    var d = el('div', cls);
    d.setAttribute('data-id', m.id);
    if (m.deleted) {
      d.textContent = t('deleted');
      return d;
    }
    var body = el('span', 'sbwc-text');
    if (m.push) {
      if (m.push.label) body.textContent = m.push.label;
      var card = el('a', 'sbwc-card', t('openPage') + ' ↗');
      card.href = m.push.url;
      card.target = '_blank';
      card.rel = 'noopener noreferrer';
      body.appendChild(card);
    } else if (m.text) linkify(body, m.text);
    d.appendChild(body);
    (m.files || []).forEach(function (f) { d.appendChild(fileNode(f)); });
    var meta = (m.from === 'operator' && m.operator ? m.operator + ' · ' : '') + time(m.at);
    d.appendChild(el('span', 'sbwc-meta', meta));
    return d;
  }

  function find(id) { return list.querySelector('[data-id="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]'); }

  function add(m, live) {
    if (S.seen[m.id]) { markDeleted(m.deleted ? m.id : null); return; }
    S.seen[m.id] = true;
    if (S.lastConv && m.conversation && m.conversation !== S.lastConv) list.appendChild(el('div', 'sbwc-note', t('newConv')));
    if (m.conversation) S.lastConv = m.conversation;
    var g = list.querySelector('.sbwc-greeting');
    if (g && m.from !== 'system') g.remove();
    list.appendChild(render(m));
    S.last = m.id;
    if (m.from === 'operator') {
      if (!S.open && live) launcher.setAttribute('data-unread', String(Number(launcher.getAttribute('data-unread') || 0) + 1));
      if (m.status === 'sent' || m.status === 'pending') S.acks[m.id] = 0;
      else if (m.status === 'delivered') S.acks[m.id] = 1;
      if (live && m.push && sameOrigin(m.push.url)) setTimeout(function () { location.href = m.push.url; }, 1200);
      typingLine.textContent = '';
    }
    list.scrollTop = list.scrollHeight;
  }

  function sameOrigin(u) { try { return new URL(u).origin === location.origin; } catch (e) { return false; } }

  function markDeleted(id) {
    var d = id && find(id);
    if (!d) return;
    d.className = d.className.replace(/ sbwc-deleted/, '') + ' sbwc-deleted';
    d.textContent = t('deleted');
  }

  // ackAll tells the server which operator messages were shown: read when
  // the panel is open on a visible page, delivered otherwise.
  function ackAll() {
    var read = S.open && document.visibilityState === 'visible', want = read ? 2 : 1, ids = [];
    Object.keys(S.acks).forEach(function (id) { if (S.acks[id] < want) ids.push(id); });
    ids = ids.slice(-200);
    if (!ids.length || !sendFrame({ type: 'ack', ids: ids, read: read })) return;
    ids.forEach(function (id) { if (want === 2) delete S.acks[id]; else S.acks[id] = 1; });
  }
  document.addEventListener('visibilitychange', function () {
    ackAll();
    if (document.visibilityState === 'visible') ensureConnected();
  });

  // ---- sending --------------------------------------------------------------

  function submit(text, files, label) {
    text = (text || '').trim();
    if (!text && !(files && files.length)) return;
    var id = rid();
    var p = { id: id, text: text, files: files || [] };
    S.pending[id] = p;
    var d = el('div', 'sbwc-msg sbwc-visitor sbwc-pending');
    d.setAttribute('data-cid', id);
    if (text) linkify(d, text);
    if (files && files.length) d.appendChild(el('span', 'sbwc-meta', label || t('file')));
    d.appendChild(el('span', 'sbwc-meta', t('sending')));
    var g = list.querySelector('.sbwc-greeting');
    if (g) g.remove();
    list.appendChild(d);
    list.scrollTop = list.scrollHeight;
    transmit(p);
  }

  function transmit(p) {
    sendFrame({ type: 'message', id: p.id, text: p.text, files: p.files });
  }

  function confirm(cid, m) {
    delete S.pending[cid];
    var d = list.querySelector('[data-cid="' + cid + '"]');
    if (S.seen[m.id]) { if (d) d.remove(); return; }
    S.seen[m.id] = true;
    var n = render(m);
    if (d) list.replaceChild(n, d); else list.appendChild(n);
    S.last = m.id;
    if (m.conversation) S.lastConv = m.conversation;
  }

  function failed(cid, msg, retry) {
    var d = list.querySelector('[data-cid="' + cid + '"]');
    if (!d) return;
    d.classList.add('sbwc-failed');
    var meta = d.querySelector('.sbwc-meta:last-child');
    meta.textContent = t('failed') + ' ' + (msg || '') + ' ';
    if (!retry) { delete S.pending[cid]; return; }
    var b = el('a', null, t('retry'));
    b.href = '#';
    b.onclick = function (e) { e.preventDefault(); meta.textContent = t('sending'); d.classList.remove('sbwc-failed'); transmit(S.pending[cid]); };
    meta.appendChild(b);
  }

  sendBtn.onclick = function () { var v = input.value; input.value = ''; typing(false); submit(v); };
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); sendBtn.onclick(); }
  });
  input.addEventListener('input', function () { typing(input.value.trim() !== ''); });

  function typing(on) {
    clearTimeout(S.typingStop);
    var now = Date.now();
    if (on) {
      if (now - S.typingSent > 2500) { S.typingSent = now; sendFrame({ type: 'typing', typing: true }); }
      S.typingStop = setTimeout(function () { typing(false); }, 4000);
    } else if (S.typingSent) {
      S.typingSent = 0;
      sendFrame({ type: 'typing', typing: false });
    }
  }

  // ---- files and voice ------------------------------------------------------

  attachBtn.onclick = function () { fileInput.click(); };
  fileInput.onchange = function () {
    var files = Array.prototype.slice.call(fileInput.files || []);
    fileInput.value = '';
    files.forEach(function (f) { upload(f, f.name, false); });
  };

  function upload(blob, fname, voice) {
    errLine.textContent = '';
    if (S.cfg && blob.size > S.cfg.max_upload) { errLine.textContent = t('tooBig') + size(S.cfg.max_upload) + '.'; return; }
    if (!S.token) { errLine.textContent = t('reconnecting'); return; }
    var q = '?name=' + encodeURIComponent(fname) + (voice ? '&voice=1' : '');
    fetch(url(prefix() + '/upload' + q), { method: 'POST', headers: { Authorization: 'Bearer ' + S.token }, body: blob })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (r) {
        if (!r.ok) { errLine.textContent = (r.j.error && r.j.error.message) || 'Upload failed.'; return; }
        submit('', [r.j.upload], voice ? t('voice') : r.j.name);
      })
      .catch(function () { errLine.textContent = 'Upload failed.'; });
  }

  voiceBtn.onclick = function () {
    if (S.recorder) { S.recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [], rec = new MediaRecorder(stream);
      S.recorder = rec;
      voiceBtn.classList.add('sbwc-rec');
      voiceBtn.title = t('stop');
      rec.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
      rec.onstop = function () {
        stream.getTracks().forEach(function (tr) { tr.stop(); });
        S.recorder = null;
        voiceBtn.classList.remove('sbwc-rec');
        voiceBtn.title = t('record');
        var type = rec.mimeType || 'audio/webm';
        var ext = /ogg/.test(type) ? 'ogg' : /mp4/.test(type) ? 'm4a' : 'webm';
        upload(new Blob(chunks, { type: type }), 'voice-message.' + ext, true);
      };
      rec.start();
    }).catch(function (e) { errLine.textContent = String(e && e.message || e); });
  };

  // ---- rating and verification ----------------------------------------------

  function renderRating() {
    ratingBox.textContent = '';
    ratingBox.appendChild(el('div', null, t('rate')));
    var stars = el('div', 'sbwc-stars'), comment = el('input', 'sbwc-comment');
    comment.placeholder = t('comment');
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var b = el('button', 'sbwc-star', '★');
        b.type = 'button';
        b.setAttribute('data-score', n);
        b.setAttribute('aria-label', n + t('star'));
        b.onclick = function () { sendFrame({ type: 'rate', score: n, comment: comment.value.trim() }); };
        stars.appendChild(b);
      })(i);
    }
    ratingBox.appendChild(stars);
    ratingBox.appendChild(comment);
    ratingBox.hidden = false;
    if (!S.open) show(true);
  }

  function renderVerify(v) {
    verifyBox.textContent = '';
    var f = el('form', 'sbwc-code');
    f.appendChild(el('div', null, t('verify') + v.email));
    var i = el('input', 'sbwc-code-input');
    i.inputMode = 'numeric';
    i.autocomplete = 'one-time-code';
    i.maxLength = 6;
    f.appendChild(i);
    f.appendChild(el('button', null, t('verifyBtn')));
    var note = el('div', 'sbwc-verify-state');
    f.appendChild(note);
    f.onsubmit = function (e) { e.preventDefault(); sendFrame({ type: 'code', code: i.value.trim() }); };
    verifyBox.appendChild(f);
    verifyBox.hidden = false;
    if (!S.open) show(true);
  }

  function verifyState(f) {
    var note = verifyBox.querySelector('.sbwc-verify-state');
    if (f.state === 'sent') { renderVerify(f); return; }
    if (f.state === 'wrong' && note) { note.textContent = t('wrong') + f.tries_left; return; }
    verifyBox.textContent = f.state === 'verified' ? t('verified') : t('expired');
    verifyBox.hidden = false;
    if (f.state === 'verified') S.hasEmail = true;
  }

  // ---- connection -------------------------------------------------------------

  function sendFrame(f) {
    if (S.ws && S.ws.readyState === 1 && S.welcomed) { S.ws.send(JSON.stringify(f)); return true; }
    return false;
  }

  function hello() {
    var h = { type: 'hello', token: S.token || '', last: S.last, since: S.since, consent: S.consent,
      page: { url: location.href, title: document.title, referrer: document.referrer } };
    if (S.user && S.user.id) h.user = S.user;
    if (S.transfer) h.transfer = S.transfer;
    return h;
  }

  function ensureConnected() {
    if (S.refused || (S.ws && S.ws.readyState <= 1)) return;
    if (S.cfg && S.cfg.features.privacy_mode && !S.consent) return;
    clearTimeout(S.timer);
    connect();
  }

  function connect() {
    var ws;
    try { ws = new WebSocket(base.replace(/^http/, 'ws') + prefix() + '/ws'); } catch (e) { return retry(); }
    S.ws = ws;
    S.welcomed = false;
    ws.onopen = function () { ws.send(JSON.stringify(hello())); };
    ws.onmessage = function (e) {
      S.heard = Date.now();
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      handle(f);
    };
    ws.onclose = function () {
      if (S.ws !== ws) return;
      S.ws = null;
      S.welcomed = false;
      clearInterval(S.beat);
      if (!S.refused) { status.textContent = t('reconnecting'); retry(); }
    };
  }

  function retry() {
    clearTimeout(S.timer);
    var delay = Math.min(30000, 1000 * Math.pow(2, S.attempt++)) * (0.5 + Math.random() / 2);
    S.timer = setTimeout(connect, delay);
  }

  function heartbeat() {
    clearInterval(S.beat);
    S.heard = Date.now();
    S.beat = setInterval(function () {
      if (!S.ws) return;
      if (Date.now() - S.heard > 60000) { S.ws.close(); return; }
      sendFrame({ type: 'ping' });
    }, 25000);
  }
  window.addEventListener('online', ensureConnected);

  function handle(f) {
    switch (f.type) {
      case 'welcome':
        S.token = f.token;
        store.set('token', f.token);
        if (S.transfer) {
          S.transfer = '';
          try { history.replaceState(null, '', location.pathname); } catch (e) { /* ignore */ }
        }
        S.attempt = 0;
        S.welcomed = true;
        S.since = f.now;
        S.hasEmail = !!f.has_email;
        S.identified = !!f.identified;
        applyConfig(f.widget);
        if (f.reset) {
          list.textContent = '';
          S.seen = {};
          S.lastConv = '';
          if (f.widget.greeting && !f.history.length) list.appendChild(el('div', 'sbwc-msg sbwc-operator sbwc-greeting', f.widget.greeting));
        }
        f.history.forEach(function (m) { add(m, false); });
        (f.deleted || []).forEach(markDeleted);
        setOnline(f.online);
        if (f.rating) renderRating();
        if (f.verify) renderVerify(f.verify);
        Object.keys(S.pending).forEach(function (id) { transmit(S.pending[id]); });
        heartbeat();
        ackAll();
        break;
      case 'message': add(f.message, true); ackAll(); break;
      case 'sent': confirm(f.id, f.message); break;
      case 'deleted': markDeleted(f.id); break;
      case 'typing':
        typingLine.textContent = f.typing ? (f.operator || t('someone')) + t('typing') : '';
        clearTimeout(S.typingHide);
        if (f.typing) S.typingHide = setTimeout(function () { typingLine.textContent = ''; }, 8000);
        break;
      case 'presence': setOnline(f.online); break;
      case 'rating': renderRating(); break;
      case 'rated': ratingBox.textContent = t('rated'); setTimeout(function () { ratingBox.hidden = true; }, 4000); break;
      case 'verify': verifyState(f); break;
      case 'email_saved': S.hasEmail = true; renderOffline(); offlineBox.appendChild(el('div', null, t('emailSaved'))); offlineBox.hidden = false; break;
      case 'error':
        if (f.ref && S.pending[f.ref]) { failed(f.ref, f.message, f.code === 'unavailable'); break; }
        if (f.code === 'identity_refused') { S.refused = true; errLine.textContent = f.message; break; }
        if (f.code === 'consent_required') { S.consent = false; store.del('consent'); renderConsent(); break; }
        if (f.code === 'transfer_refused') { S.transfer = ''; errLine.textContent = f.message; break; }
        errLine.textContent = f.message;
        break;
    }
  }

  // SPA navigations: tell the server the visitor moved on.
  function pageChanged() { sendFrame({ type: 'page', page: { url: location.href, title: document.title } }); }
  ['pushState', 'replaceState'].forEach(function (fn) {
    var orig = history[fn];
    history[fn] = function () { var r = orig.apply(this, arguments); setTimeout(pageChanged, 0); return r; };
  });
  window.addEventListener('popstate', pageChanged);

  api.widgets[name] = { open: function () { show(true); }, close: function () { show(false); } };
  api.open = function () { show(true); };
  api.close = function () { show(false); };
  api.identify = function (user) {
    S.user = user;
    S.last = '';
    S.refused = false;
    if (S.ws) S.ws.close(); else ensureConnected();
  };

  function start() {
    document.body.appendChild(host);
    fetch(url(prefix() + '/config')).then(function (r) { return r.json(); }).then(function (c) {
      S.online = c.online;
      applyConfig(c.widget);
      if (c.widget.features.privacy_mode && !S.consent) { if (S.open) show(true); return; }
      ensureConnected();
      if (S.open) show(true);
    }).catch(function () { ensureConnected(); });
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
