import Foundation
import Hummingbird

/// Sign-in, the member's own page (phone-sized), the office's people and audit page, and
/// the collection section of the month page.
extension Pages {
    static func signIn(next: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let body = """
            <h1>サインイン</h1>
            <p>事務局とブロック幹事の方は、名前とパスワードでサインインしてください。会員の方は、事務局から届いた自分用のリンクを開いてください。</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login" class="signin">
              <input type="hidden" name="next" value="\(escape(next))">
              <label>名前 <input name="name" autocomplete="username" required autofocus></label>
              <label>パスワード <input name="password" type="password" autocomplete="current-password" required></label>
              <button type="submit">サインイン</button>
            </form>
            """
        return page(title: "サインイン", body: body, status: status)
    }

    static func linkGone() -> Response {
        page(title: "リンクが使えません", body: """
            <h1>このリンクは使えません</h1>
            <p>リンクが古いか、取り消されています。お手数ですが、医師会の事務局に新しいリンクを頼んでください。</p>
            """, status: .notFound)
    }

    /// The member's page: their duties, patients, availability answer and calendar address.
    static func me() -> Response {
        let body = """
            <h1>わたしの当番</h1>
            <p><label>月 <select id="month"></select></label> <span id="who"></span></p>
            <p id="meProblem" class="error" role="alert"></p>
            <section id="duties"><h2>当番</h2><div id="changed" class="changed" hidden role="status"></div><div id="dutyList"></div></section>
            <section id="swaps" hidden><h2>交代</h2><p class="hint">自分の当番の「交代を頼む」から申し出ます。引き受けると、幹事か事務局が確かめてから公開されます。</p>
              <ul id="swapList"></ul></section>
            <section id="patients" hidden><h2>副主治医を務める患者</h2><p id="patientList"></p></section>
            <section id="items" hidden><h2>受け持つ訪問</h2><p id="itemList"></p></section>
            <section id="answer">
              <h2>出られない日・避けたい日</h2>
              <p id="deadline"></p>
              <p class="hint">押すたびに ○ (出られる) → × 不可 → △ 避けたい → ○ と変わります。「終日」は一日中、その右は勤務帯ごとです。</p>
              <div id="days" class="days"></div>
              <label class="note">事務局へのメモ <textarea id="note" rows="3" maxlength="1000"></textarea></label>
              <button type="button" id="send">この内容で回答する</button> <span id="sendState" aria-live="polite"></span>
            </section>
            <section id="calendarLink">
              <h2>カレンダーに登録</h2>
              <p>このアドレスをスマートフォンのカレンダーに登録すると、公開された当番が自動で入ります。人に渡さないでください。</p>
              <input id="ics" readonly aria-label="カレンダーのアドレス">
            </section>
            """
        return page(title: "わたしの当番", body: body, script: "me.js")
    }

    /// The office's people page: accounts, links and the audit trail.
    static func people(months: [Store.Month]) -> Response {
        let body = """
            <h1>人と記録</h1>
            <section>
              <h2>人を加える</h2>
              <form id="addUser">
                <label>名前 <input name="name" required maxlength="100"></label>
                <label>役割 <select name="role"><option value="member">会員 (リンクで入る)</option>
                  <option value="leader">ブロック幹事</option><option value="office">事務局</option></select></label>
                <label>ブロック (幹事: カンマ区切り) <input name="blocks" placeholder="b1,b2"></label>
                <label>メンバー ID (会員) <input name="member" placeholder="m1"></label>
                <button type="submit">加える</button>
              </form>
              <div id="issued" role="status"></div>
            </section>
            <section>
              <h2>提案と交代の規則</h2>
              <form id="rules">
                <label><input type="checkbox" name="leadersPublish"> 幹事が自分のブロックの変更案・代わりを自分で公開してよい</label><br>
                <label><input type="checkbox" name="autoSwap"> ルールを守り、目的関数の増加が
                  <input type="number" name="swapAutoApprove" min="0" step="0.5" value="10" inputmode="decimal"> 未満の交代は、確認なしで公開する</label><br>
                <button type="submit">規則を保存</button> <span id="rulesState" aria-live="polite"></span>
              </form>
            </section>
            <section>
              <h2>登録されている人</h2>
              <table class="list" id="users"><thead><tr><th>名前</th><th>役割</th><th>ブロック・ID</th><th>登録</th><th>状態</th><th></th></tr></thead>
              <tbody></tbody></table>
            </section>
            <section>
              <h2>変更の記録</h2>
              <p><a href="/api/audit?format=csv" download>すべて CSV で保存</a>　新しいものから 200 件を表示しています。</p>
              <table class="list audit" id="audit"><thead><tr><th>日時</th><th>誰</th><th>操作</th><th>月</th><th>対象</th><th>前</th><th>後</th></tr></thead>
              <tbody></tbody></table>
            </section>
            """
        _ = months
        return page(title: "人と記録", body: body, script: "people.js")
    }

    /// The month page's section for collecting availability through members' links.
    static func collectionSection(_ month: Int64) -> String {
        """
        <section id="collection" data-month="\(month)">
          <h2>不可日の回収 (会員のリンク)</h2>
          <form id="collectionForm">
            <label>締め切り <input type="date" id="deadlineDate" required></label>
            <button type="submit">受付を始める・締め切りを変える</button>
          </form>
          <p id="collectionState" aria-live="polite"></p>
          <p><button type="button" id="makeLinks">リンクのない会員にリンクを作る</button>
             <a id="linksCsv" hidden download="rinban-links.csv">作ったリンクの一覧 (CSV)</a></p>
          <details id="answers"><summary id="answersSummary">回答</summary>
            <table class="list"><thead><tr><th>メンバー</th><th>回答</th><th>メモ</th></tr></thead><tbody id="answerRows"></tbody></table>
          </details>
        </section>
        """
    }

    static let peopleCSS = """
        form.signin label, #answer label.note { display: block; margin: 0.6em 0; }
        form.signin input { font-size: 1.1em; padding: 0.3em; }
        .days { display: grid; gap: 0.25em; max-width: 40em; }
        .day { display: flex; align-items: center; gap: 0.3em; padding: 0.15em 0; border-bottom: 1px solid #eee; }
        .day .label { width: 7.5em; flex: none; }
        .day.sat .label { color: #1f4e79; }
        .day.holiday .label, .day.sun .label { color: #c00000; }
        .day button { min-width: 3.2em; min-height: 2.4em; border: 1px solid #999; background: white; border-radius: 4px; font-size: 0.95em; }
        .day button.unavailable { background: #f4cccc; border-color: #c00000; }
        .day button.avoid { background: #fff2cc; border-color: #bf9000; }
        .day button:disabled { opacity: 0.6; }
        #note { width: 100%; max-width: 40em; box-sizing: border-box; font-size: 1em; }
        #send { font-size: 1.1em; padding: 0.5em 1.2em; margin: 0.5em 0; }
        #ics { width: 100%; max-width: 40em; box-sizing: border-box; }
        ul.duties { padding-left: 1.2em; }
        .changed { background: #fff2cc; border: 1px solid #bf9000; padding: 0.5em; border-radius: 4px; }
        ul.duties li { margin: 0.3em 0; }
        ul.duties button, #swapList button, .offer button { min-height: 2.2em; margin: 0.1em 0.2em; }
        .offer { background: #f7f9fc; border: 1px solid #ddd; padding: 0.4em; margin: 0.3em 0; }
        table.audit td { white-space: pre-wrap; font-size: 0.85em; vertical-align: top; }
        @media (max-width: 600px) { main { padding: 0.6em; } h1 { font-size: 1.3em; } }
        """

    /// Every page's first script: forms never submit on Enter while an IME composes, every
    /// changing request carries the session's CSRF token, and the sign-out button works.
    static let prelude = imeGuard + """
        (function () {
          const meta = document.querySelector('meta[name="csrf-token"]');
          const token = meta ? meta.content : null;
          const original = window.fetch;
          window.fetch = function (input, init) {
            init = Object.assign({}, init || {});
            const method = (init.method || 'GET').toUpperCase();
            if (token && method !== 'GET' && method !== 'HEAD') {
              const headers = new Headers(init.headers || {});
              headers.set('X-CSRF-Token', token);
              init.headers = headers;
            }
            return original.call(window, input, init);
          };
          const out = document.getElementById('signOut');
          if (out) {
            out.addEventListener('click', async function () {
              await fetch('/logout', { method: 'POST' });
              location.href = '/login';
            });
          }
        })();

        """

    static let meScript = """
        (function () {
          const weekdays = ['日', '月', '火', '水', '木', '金', '土'];
          const next = { none: 'unavailable', unavailable: 'avoid', avoid: 'none' };
          const sign = { none: '○', unavailable: '×', avoid: '△' };
          let mine = null;
          let marks = {};
          const problem = document.getElementById('meProblem');
          function key(date, shift) { return date + '|' + (shift || ''); }
          function dayLabel(d) {
            const [y, m, day] = d.date.split('-');
            return Number(m) + '/' + Number(day) + ' (' + weekdays[d.weekday] + ')' + (d.holiday ? ' ' + d.holiday : '');
          }
          function jst(iso) {
            return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' });
          }
          function render() {
            document.getElementById('who').textContent = mine.name + ' さん';
            const list = document.getElementById('dutyList');
            if (mine.publishedVersion == null) {
              list.innerHTML = '<p>この月の当番表はまだ公開されていません。</p>';
            } else if (mine.duties.length === 0) {
              list.innerHTML = '<p>公開された当番表 (版 ' + mine.publishedVersion + ') に、あなたの当番はありません。</p>';
            } else {
              const ul = document.createElement('ul');
              ul.className = 'duties';
              mine.duties.forEach(function (d) {
                const li = document.createElement('li');
                li.appendChild(document.createTextNode(dayLabel(d) + '　' + d.dutyName + ' ' + d.areaName + ' ' + d.shiftName + ' '));
                const ask = document.createElement('button');
                ask.type = 'button';
                ask.className = 'swap';
                ask.textContent = '交代を頼む';
                ask.addEventListener('click', function () { offer(d, li); });
                li.appendChild(ask);
                ul.appendChild(li);
              });
              list.innerHTML = '<p>公開された当番表 (版 ' + mine.publishedVersion + ') より</p>';
              list.appendChild(ul);
            }
            const changed = document.getElementById('changed');
            const moved = mine.changes ? mine.changes.added.length + mine.changes.removed.length : 0;
            changed.hidden = moved === 0;
            if (moved) {
              changed.textContent = '版 ' + mine.changes.version + ' であなたの当番が変わりました: '
                + mine.changes.added.map(function (d) { return '＋ ' + dayLabel(d) + ' ' + d.dutyName + ' ' + d.shiftName; })
                  .concat(mine.changes.removed.map(function (d) { return '－ ' + dayLabel(d) + ' ' + d.dutyName + ' ' + d.shiftName; })).join('　');
            }
            document.getElementById('patients').hidden = mine.patients.length === 0;
            document.getElementById('patientList').textContent = mine.patients.join('、');
            document.getElementById('items').hidden = mine.items.length === 0;
            document.getElementById('itemList').textContent = mine.items.join('、');
            document.getElementById('ics').value = mine.calendarUrl;
            marks = {};
            mine.marks.forEach(function (m) { marks[key(m.date, m.shift)] = m.kind; });
            const deadline = document.getElementById('deadline');
            if (mine.deadline == null) {
              deadline.textContent = 'この月の受付はまだ始まっていません。';
            } else if (mine.open) {
              deadline.textContent = '締め切り: ' + jst(mine.deadline) + (mine.answeredAt ? '　(回答済み ' + jst(mine.answeredAt) + '。締め切りまで直せます)' : '　(まだ回答していません)');
            } else {
              deadline.textContent = '締め切り (' + jst(mine.deadline) + ') を過ぎたので、見るだけです。変更は事務局に連絡してください。';
            }
            document.getElementById('note').value = mine.note || '';
            document.getElementById('note').readOnly = !mine.open;
            document.getElementById('send').disabled = !mine.open;
            drawDays();
          }
          function cell(date, shift, label) {
            const b = document.createElement('button');
            b.type = 'button';
            const kind = marks[key(date, shift)] || 'none';
            b.className = kind;
            b.textContent = label + ' ' + sign[kind];
            b.setAttribute('aria-label', date + ' ' + label + ' ' + ({ none: '出られる', unavailable: '不可', avoid: '避けたい' })[kind]);
            b.disabled = !mine.open;
            b.dataset.date = date;
            b.dataset.shift = shift || '';
            b.addEventListener('click', function () {
              const k = key(date, shift);
              const now = next[marks[k] || 'none'];
              if (now === 'none') { delete marks[k]; } else { marks[k] = now; }
              if (!shift) { mine.shifts.forEach(function (s) { delete marks[key(date, s.id)]; }); }
              else { delete marks[key(date, null)]; }
              document.getElementById('sendState').textContent = '未送信の変更があります';
              drawDays();
            });
            return b;
          }
          function drawDays() {
            const days = document.getElementById('days');
            days.innerHTML = '';
            mine.dates.forEach(function (d) {
              const row = document.createElement('div');
              row.className = 'day' + (d.holiday ? ' holiday' : d.weekday === 0 ? ' sun' : d.weekday === 6 ? ' sat' : '');
              const label = document.createElement('span');
              label.className = 'label';
              label.textContent = dayLabel(d);
              row.appendChild(label);
              row.appendChild(cell(d.date, null, '終日'));
              if (mine.shifts.length > 1) {
                mine.shifts.forEach(function (s) { row.appendChild(cell(d.date, s.id, s.name)); });
              }
              days.appendChild(row);
            });
          }
          function button(label, cls, handler) {
            const b = document.createElement('button');
            b.type = 'button';
            b.className = cls;
            b.textContent = label;
            b.addEventListener('click', handler);
            return b;
          }
          async function offer(d, li) {
            const old = li.querySelector('.offer');
            if (old) { old.remove(); return; }
            const box = document.createElement('div');
            box.className = 'offer';
            box.textContent = '代われる人を探しています…';
            li.appendChild(box);
            const q = new URLSearchParams({ duty: d.duty, area: d.area, date: d.date, shift: d.shift });
            const r = await fetch('/api/months/' + mine.month + '/mine/swap-candidates?' + q);
            if (!r.ok) { box.textContent = '候補を出せませんでした。'; return; }
            const answer = await r.json();
            box.textContent = '';
            async function send(to) {
              const response = await fetch('/api/months/' + mine.month + '/swaps', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ duty: d.duty, area: d.area, date: d.date, shift: d.shift, to: to }) });
              const body = await response.json().catch(function () { return {}; });
              box.textContent = response.ok ? '申し出ました。相手が引き受けると、確認のうえ公開されます。'
                : ((body.problems || []).map(function (p) { return p.japanese || p.message; }).join('\\n') || (body.error && body.error.message) || '申し出られませんでした。');
              swaps();
            }
            box.appendChild(button('代われる人なら誰でも', 'anyone', function () { send(null); }));
            const list = document.createElement('ul');
            answer.candidates.slice(0, 10).forEach(function (c) {
              const item = document.createElement('li');
              item.appendChild(document.createTextNode(c.name + ' (目的関数 +' + c.increase.toFixed(1) + ') '));
              item.appendChild(button('この人に頼む', 'to', function () { send(c.member); }));
              list.appendChild(item);
            });
            if (!answer.candidates.length) { list.textContent = 'ルールを守って代われる人がいません。事務局に相談してください。'; }
            box.appendChild(list);
          }
          const swapStates = { offered: '申し出中', accepted: '引き受け済み (確認待ち)', published: '公開済み', rejected: '却下', withdrawn: '取り下げ' };
          async function swaps() {
            const response = await fetch('/api/months/' + mine.month + '/proposals');
            const section = document.getElementById('swaps');
            const list = document.getElementById('swapList');
            list.innerHTML = '';
            if (!response.ok) { section.hidden = true; return; }
            const all = (await response.json()).filter(function (p) { return p.kind === 'swap'; });
            section.hidden = false;
            all.forEach(function (p) {
              const li = document.createElement('li');
              li.dataset.id = p.id;
              li.appendChild(document.createTextNode(p.description + '　' + (swapStates[p.state] || p.state) + ' '));
              if (p.offeredBy === mine.member) {
                if (p.state === 'offered' || p.state === 'accepted') {
                  li.appendChild(button('取り下げる', 'withdraw', async function () {
                    await fetch('/api/proposals/' + p.id + '/withdraw', { method: 'POST' });
                    swaps();
                  }));
                }
              } else if (p.state === 'offered') {
                li.appendChild(button('引き受ける', 'accept', async function () {
                  const r = await fetch('/api/proposals/' + p.id + '/accept', { method: 'POST' });
                  const body = await r.json().catch(function () { return {}; });
                  if (r.ok) { await load(mine.month); document.getElementById('sendState').textContent = ''; }
                  else { li.appendChild(document.createTextNode(' ' + ((body.problems || []).map(function (x) { return x.japanese; }).join('') || (body.error && body.error.message) || ''))); }
                }));
              }
              list.appendChild(li);
            });
            if (!all.length) { list.textContent = '交代の申し出はありません。'; }
          }
          async function load(month) {
            const response = await fetch('/api/months/' + month + '/mine');
            if (!response.ok) { return false; }
            mine = await response.json();
            problem.textContent = '';
            render();
            swaps();
            return true;
          }
          document.getElementById('send').addEventListener('click', async function () {
            const list = Object.keys(marks).map(function (k) {
              const [date, shift] = k.split('|');
              return { date: date, shift: shift || null, kind: marks[k] };
            });
            const state = document.getElementById('sendState');
            state.textContent = '送っています…';
            const response = await fetch('/api/months/' + mine.month + '/mine/availability', {
              method: 'POST', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ marks: list, note: document.getElementById('note').value })
            });
            if (response.ok) {
              await load(mine.month);
              document.getElementById('sendState').textContent = '回答を受け付けました。ありがとうございます。';
            } else {
              const body = await response.json().catch(function () { return {}; });
              state.textContent = '';
              problem.textContent = (body.problems || []).map(function (p) { return p.japanese || p.message; }).join('\\n')
                || (body.error && body.error.message) || '送れませんでした。';
            }
          });
          (async function () {
            const months = await (await fetch('/api/months')).json();
            const select = document.getElementById('month');
            let shown = false;
            for (const m of months) {
              const option = document.createElement('option');
              option.value = m.id;
              option.textContent = m.label;
              select.appendChild(option);
            }
            for (const m of months) {
              if (await load(m.id)) { select.value = m.id; shown = true; break; }
            }
            if (!shown) { problem.textContent = 'あなたの名前が入った月はまだありません。'; }
            select.addEventListener('change', async function () {
              if (!(await load(select.value))) { problem.textContent = 'この月にあなたの名前はありません。'; }
            });
          })();
        })();
        """

    static let peopleScript = """
        (function () {
          const roles = { office: '事務局', leader: 'ブロック幹事', member: '会員' };
          const actions = {
            'month.upload': '月の読み込み', 'month.next': '翌月を作成', 'availability.edit': '不可日の入力 (事務局)',
            'availability.answer': '不可日の回答 (本人)', 'pin.add': '固定', 'pin.remove': '固定の解除', 'run.start': '計画の開始',
            'run.end': '計画の終了', 'run.cancel': '計画の取り消し', 'draft.edit': '下書きの手直し', 'publish': '公開',
            'collection.open': '回収の受付・締め切り', 'calendar.renew': 'カレンダー URL の作り直し', 'user.add': '人の追加',
            'user.revoke': '人の取り消し', 'link.renew': 'リンクの作成', 'token.new': 'API トークンの作成', 'sign-in': 'サインイン',
            'whatif.propose': '変更案', 'cover.propose': '代わりの案', 'proposal.submitted': '提案の提出', 'proposal.publish': '提案の公開',
            'proposal.rejected': '提案の却下', 'proposal.withdrawn': '提案の取り下げ', 'swap.offer': '交代の申し出', 'swap.accept': '交代の引き受け',
            'rules.set': '規則の変更'
          };
          function td(text) { const c = document.createElement('td'); c.textContent = text == null ? '' : text; return c; }
          function show(issued) {
            const box = document.getElementById('issued');
            box.innerHTML = '';
            const p = document.createElement('p');
            p.textContent = issued.password
              ? issued.user.name + ' さんの初回パスワード (この画面でしか表示しません): '
              : issued.user.name + ' さんのリンク (この画面でしか表示しません。本人だけに渡してください): ';
            const code = document.createElement('code');
            code.id = 'secret';
            code.textContent = issued.password || issued.link;
            p.appendChild(code);
            box.appendChild(p);
          }
          async function users() {
            const list = await (await fetch('/api/users')).json();
            const body = document.querySelector('#users tbody');
            body.innerHTML = '';
            list.forEach(function (u) {
              const tr = document.createElement('tr');
              tr.appendChild(td(u.name));
              tr.appendChild(td(roles[u.role]));
              tr.appendChild(td(u.role === 'leader' ? u.blocks.join(', ') : (u.member || '')));
              tr.appendChild(td(u.createdAt.slice(0, 10)));
              tr.appendChild(td(u.revokedAt ? '取り消し済み' : '有効'));
              const actions = document.createElement('td');
              if (!u.revokedAt) {
                if (u.role === 'member') {
                  const renew = document.createElement('button');
                  renew.type = 'button';
                  renew.textContent = 'リンクを作り直す';
                  renew.addEventListener('click', async function () {
                    if (!confirm(u.name + ' さんの今のリンクは使えなくなります。作り直しますか?')) { return; }
                    const r = await fetch('/api/users/' + u.id + '/link', { method: 'POST' });
                    if (r.ok) { show(await r.json()); audit(); }
                  });
                  actions.appendChild(renew);
                }
                const revoke = document.createElement('button');
                revoke.type = 'button';
                revoke.textContent = '取り消す';
                revoke.addEventListener('click', async function () {
                  if (!confirm(u.name + ' さんのアカウントを取り消します。すぐに入れなくなります。')) { return; }
                  const r = await fetch('/api/users/' + u.id + '/revoke', { method: 'POST' });
                  if (r.ok) { users(); audit(); }
                });
                actions.appendChild(revoke);
              }
              tr.appendChild(actions);
              body.appendChild(tr);
            });
          }
          async function audit() {
            const list = await (await fetch('/api/audit')).json();
            const body = document.querySelector('#audit tbody');
            body.innerHTML = '';
            list.slice(0, 200).forEach(function (e) {
              const tr = document.createElement('tr');
              [new Date(e.at).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }), e.actor, actions[e.action] || e.action, e.month, e.target, e.before, e.after]
                .forEach(function (v) { tr.appendChild(td(v)); });
              body.appendChild(tr);
            });
          }
          document.getElementById('addUser').addEventListener('submit', async function (e) {
            e.preventDefault();
            const form = new FormData(e.target);
            const role = form.get('role');
            const body = { name: form.get('name'), role: role };
            if (role === 'leader') { body.blocks = String(form.get('blocks')).split(',').map(function (s) { return s.trim(); }).filter(Boolean); }
            if (role === 'member') { body.member = String(form.get('member')).trim(); }
            const r = await fetch('/api/users', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
            const answer = await r.json();
            if (r.status === 201) { show(answer); e.target.reset(); users(); audit(); }
            else {
              document.getElementById('issued').textContent = (answer.problems || []).map(function (p) { return p.japanese || p.message; }).join('\\n')
                || (answer.error && answer.error.message) || '加えられませんでした';
            }
          });
          const rules = document.getElementById('rules');
          (async function () {
            const current = await (await fetch('/api/rules')).json();
            rules.elements.leadersPublish.checked = current.leadersPublish;
            rules.elements.autoSwap.checked = current.swapAutoApprove !== null && current.swapAutoApprove !== undefined;
            if (rules.elements.autoSwap.checked) { rules.elements.swapAutoApprove.value = current.swapAutoApprove; }
          })();
          rules.addEventListener('submit', async function (e) {
            e.preventDefault();
            const body = { leadersPublish: rules.elements.leadersPublish.checked,
                           swapAutoApprove: rules.elements.autoSwap.checked ? Number(rules.elements.swapAutoApprove.value) : null };
            const r = await fetch('/api/rules', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
            document.getElementById('rulesState').textContent = r.ok ? '保存しました' : '保存できませんでした';
            audit();
          });
          users();
          audit();
        })();
        """

    static let collectionScript = """

        (function () {
          const section = document.getElementById('collection');
          if (!section) { return; }
          const month = section.dataset.month;
          function jst(iso) { return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }); }
          function draw(c) {
            const state = document.getElementById('collectionState');
            if (c.deadline == null) { state.textContent = 'まだ受付を始めていません。'; }
            else { state.textContent = (c.open ? '受付中: 締め切り ' : '締め切りました: ') + jst(c.deadline)
              + '　回答 ' + c.answered.length + ' 人 / 未回答 ' + c.waiting.length + ' 人'; }
            document.getElementById('answersSummary').textContent = '回答 ' + c.answered.length + ' 人 / 未回答 ' + c.waiting.length + ' 人 (一覧)';
            const rows = document.getElementById('answerRows');
            rows.innerHTML = '';
            c.answered.forEach(function (a) {
              const tr = document.createElement('tr');
              [a.member, '回答済み ' + jst(a.answeredAt), a.note].forEach(function (v) { const td = document.createElement('td'); td.textContent = v; tr.appendChild(td); });
              rows.appendChild(tr);
            });
            c.waiting.forEach(function (w) {
              const tr = document.createElement('tr');
              [w.name + ' (' + w.member + ')', w.linked ? '未回答' : '未回答 (リンクなし)', ''].forEach(function (v) { const td = document.createElement('td'); td.textContent = v; tr.appendChild(td); });
              rows.appendChild(tr);
            });
          }
          async function refresh() {
            const r = await fetch('/api/months/' + month + '/collection');
            if (r.ok) { draw(await r.json()); }
          }
          document.getElementById('collectionForm').addEventListener('submit', async function (e) {
            e.preventDefault();
            const r = await fetch('/api/months/' + month + '/collection', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ deadline: document.getElementById('deadlineDate').value }) });
            if (r.ok) { draw(await r.json()); }
          });
          document.getElementById('makeLinks').addEventListener('click', async function () {
            const r = await fetch('/api/months/' + month + '/links', { method: 'POST' });
            if (!r.ok) { return; }
            const links = await r.json();
            const csv = '\\ufeffメンバー,名前,リンク\\r\\n' + links.map(function (l) {
              return [l.member, l.name, l.link].map(function (v) { return '"' + String(v).replace(/"/g, '""') + '"'; }).join(',');
            }).join('\\r\\n');
            const a = document.getElementById('linksCsv');
            a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
            a.hidden = false;
            a.textContent = '作ったリンク ' + links.length + ' 件の一覧 (CSV。この画面でしか作れません)';
            refresh();
          });
          refresh();
        })();
        """
}
