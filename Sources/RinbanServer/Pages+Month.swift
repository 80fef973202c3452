import Foundation
import Hummingbird
import RinbanCore

/// The month page and the availability grid. Both draw everything from the JSON API
/// (`/api/months/{id}/draft/view`, `/availability`, `/draft/cover`, …); the server only
/// writes the frame, the published versions and the download links.
extension Pages {
    /// One month: plan with live progress, the interactive calendar of the draft, fixing by
    /// hand, publishing, the published versions and the members' calendars.
    static func month(_ month: Store.Month, draft: Store.StoredPlan?, versions: [Store.StoredPlan]) -> Response {
        let id = month.id
        func downloads(_ base: String) -> String {
            [("plan.json", "計画 (JSON)"), ("rota.csv", "CSV"), ("rota.xlsx", "Excel"), ("rota.html", "印刷用 HTML"),
             ("calendars.zip", "カレンダー (ICS) 一式")]
                .map { "<a href=\"\(base)/files/\($0.0)\" download>\($0.1)</a>" }.joined(separator: "　")
        }
        var versionRows = ""
        for v in versions {
            versionRows += "<tr><td>版 \(v.version)</td><td>\(escape(v.at))</td><td>\(escape(v.note ?? ""))</td>"
                + "<td><a href=\"/api/months/\(id)/published/\(v.version)/diff?format=html\" target=\"_blank\">変更点</a></td>"
                + "<td>\(downloads("/api/months/\(id)/published/\(v.version)"))</td></tr>\n"
        }
        let latestDiff = versions.first.map {
            "<h3>版 \($0.version) で変わったこと</h3><iframe class=\"diff\" title=\"版 \($0.version) の変更点\" src=\"/api/months/\(id)/published/\($0.version)/diff?format=html\"></iframe>"
        } ?? ""
        let body = """
            <h1>\(escape(month.label)) <small>\(escape(month.association ?? ""))</small></h1>
            <p>期間 \(escape(month.periodStart))〜\(escape(month.periodEnd))　元のファイル \(escape(month.sourceName))　
            <a href="/months/\(id)/availability">不可・避けたい日を入力する</a>　
            <a href="/months/\(id)/block">公開版の代わり・変更案</a></p>
            \(collectionSection(id))
            <section id="plan" data-month="\(id)">
              <h2>計画する</h2>
              <form id="run">
                <label>方法 <select name="engine"><option value="auto">自動</option><option value="glpk">GLPK</option>
                  <option value="lns">近傍探索</option><option value="greedy">貪欲法 (速い)</option></select></label>
                <label>制限時間 (秒) <input name="timeLimit" type="number" min="1" max="3600" value="60" inputmode="numeric"></label>
                <button type="submit">計画を始める</button>
                <button type="button" id="cancel" disabled>取り消す</button>
              </form>
              <p class="hint">固定した当番 (固定) は次の計画でもそのまま残ります。</p>
              <div id="progress" aria-live="polite"></div>
              <svg id="chart" width="480" height="120" role="img" aria-label="目的関数の推移" style="display:none"></svg>
            </section>
            <section id="draft" data-has-draft="\(draft == nil ? "no" : "yes")">
              <h2>下書き <span id="draftVersion">\(draft.map { "(版 \($0.version))" } ?? "")</span></h2>
              \(draft == nil ? "<p>まだありません。計画を始めてください。</p>" : """
                <p id="summary"></p>
                <ul id="violations" class="error"></ul>
                <div id="filters">
                  <label>ブロック <select id="fBlock"><option value="">すべて</option></select></label>
                  <label>当番 <select id="fDuty"><option value="">すべて</option></select></label>
                  <label>メンバー <select id="fMember"><option value="">すべて</option></select></label>
                  <span id="highlightNote"></span>
                </div>
                <p class="hint">名前を押すとその人の当番が色付きになります。枠の名前を押すと、代われる人の候補が出ます。</p>
                <div id="calendar"></div>
                <aside id="panel" hidden aria-live="polite">
                  <button type="button" id="panelClose" aria-label="閉じる">×</button>
                  <h3 id="panelTitle"></h3>
                  <div id="panelMembers"></div>
                  <p id="panelStatus"></p>
                  <ol id="candidates"></ol>
                  <details><summary>候補にならない人</summary><ul id="unable"></ul></details>
                </aside>
                <h3>空き枠と理由</h3>
                <table class="list" id="uncovered"></table>
                <h3>当番の負担と公平な目標</h3>
                <p class="hint">棒は点数 (今年度の累計)、縦線は公平な目標です。</p>
                <div id="fairness"></div>
                <h3>ステーション・病院・副主治医</h3>
                <iframe class="tables" title="ステーション・病院・副主治医" src="/months/\(id)/tables.html"></iframe>
                <p>ダウンロード: \(downloads("/api/months/\(id)/draft"))　<a href="/months/\(id)/draft.html" target="_blank">印刷用の当番表</a></p>
                <form id="publish">
                  <label>公開のメモ <input name="note" type="text" maxlength="2000"></label>
                  <button type="submit">下書きを公開する</button>
                  \(versions.isEmpty ? "" : "<a href=\"/api/months/\(id)/draft/diff?format=html\" target=\"_blank\">公開中の版との違いを見る</a>")
                </form>
                """)
            </section>
            <section id="versions">
              <h2>公開済みの版</h2>
              \(versions.isEmpty ? "<p>まだありません。</p>" : """
                <table class="list"><thead><tr><th>版</th><th>日時</th><th>メモ</th><th>変更点</th><th>ダウンロード</th></tr></thead>
                <tbody>\(versionRows)</tbody></table>
                <form id="next">
                  <button type="submit">翌月を作る</button>
                  <span class="hint">最新の版を「実際に担当した当番」として各メンバーの今年度の実績に加え、同じ体制で翌月を作ります。</span>
                </form>
                \(latestDiff)
                """)
            </section>
            <section>
              <h2>メンバーのカレンダー</h2>
              <p>各メンバーに専用の URL を渡すと、スマートフォンのカレンダーが公開済みの当番を自動で更新します。</p>
              <button id="members">URL を表示</button>
              <table class="list" id="memberTable"></table>
            </section>
            """
        return page(title: month.label, body: body, script: "month.js")
    }

    /// The availability grid of a month.
    static func availability(_ month: Store.Month) -> Response {
        let body = """
            <h1>\(escape(month.label)) 不可・避けたい日 <small><a href="/months/\(month.id)">月のページへ戻る</a></small></h1>
            <section id="grid" data-month="\(month.id)">
              <p class="hint">マスを押すと、下で選んだ印がすぐに保存されます。× は不可 (当番に入れない)、△ は避けたい (なるべく入れない) です。</p>
              <div id="tools">
                <fieldset><legend>付ける印</legend>
                  <label><input type="radio" name="kind" value="unavailable" checked> × 不可</label>
                  <label><input type="radio" name="kind" value="avoid"> △ 避けたい</label>
                  <label><input type="radio" name="kind" value="none"> 消す</label>
                </fieldset>
                <label>時間帯 <select id="shift"><option value="">終日</option></select></label>
                <label>ブロック <select id="gBlock"><option value="">すべて</option></select></label>
                <label>名前で絞る <input id="gName" type="search" autocomplete="off"></label>
              </div>
              <p id="status" aria-live="polite"></p>
              <div class="gridwrap"><table id="availability" class="availability"></table></div>
            </section>
            <section>
              <h2>まとめて入力</h2>
              <form id="bulk">
                <label>メンバー <select name="member" class="memberSelect"></select></label>
                <label>から <input name="from" type="date"></label>
                <label>まで <input name="to" type="date"></label>
                <button type="submit">上で選んだ印を付ける</button>
              </form>
              <form id="paste">
                <p>表計算ソフトの 1 列 (1 行 = 1 日) を貼り付けられます。× または 不可、△ または 避けたい、○ または 消す。空の行は変えません。</p>
                <label>メンバー <select name="member" class="memberSelect"></select></label>
                <label>最初の日 <input name="from" type="date"></label><br>
                <textarea name="column" rows="8" cols="20" aria-label="貼り付ける列"></textarea><br>
                <button type="submit">貼り付けた列を保存する</button>
              </form>
            </section>
            """
        return page(title: month.label + " 不可・避けたい日", body: body, script: "availability.js")
    }

    static let monthCSS = """
        .hint { color: #555; font-size: 0.9em; }
        #filters label { margin-right: 1em; }
        #calendar table.calendar { border-collapse: collapse; width: 100%; table-layout: fixed; margin-bottom: 1em; }
        #calendar th, #calendar td { border: 1px solid #bbb; vertical-align: top; padding: 2px 4px; font-size: 0.82em; }
        #calendar th.sun, #calendar td.holiday { background: #fde9e7; }
        #calendar th.sat, #calendar td.saturday { background: #e8f0fb; }
        #calendar td.outside, #calendar td.blank { background: #f2f2f2; color: #999; }
        #calendar .num { font-weight: bold; }
        #calendar .hname { color: #c00000; margin-left: 0.3em; font-size: 0.9em; }
        #calendar ul { list-style: none; margin: 0; padding: 0; }
        #calendar li { margin: 1px 0; }
        #calendar li.open { background: #fff2cc; outline: 1px solid #c00000; }
        #calendar .what { cursor: pointer; color: #1f4e79; text-decoration: underline dotted; background: none; border: 0; padding: 0; font: inherit; }
        #calendar .who { cursor: pointer; border: 0; background: none; padding: 0 2px; font: inherit; }
        #calendar .who.highlight, #fairness .row.highlight { background: #ffd966; font-weight: bold; }
        #calendar .openmark { color: #c00000; font-weight: bold; }
        .pin { font-size: 0.75em; border: 1px solid #7f6000; color: #7f6000; border-radius: 3px; padding: 0 2px; margin-left: 2px; }
        #panel { position: fixed; right: 1em; top: 4em; width: 26em; max-height: 80vh; overflow: auto; background: white;
                 border: 2px solid #1f4e79; padding: 0.8em; box-shadow: 0 2px 12px rgba(0,0,0,0.3); z-index: 10; }
        #panelClose { float: right; }
        #candidates li { margin-bottom: 0.5em; }
        #candidates .reasons, #unable { font-size: 0.85em; color: #444; }
        #fairness .row { display: grid; grid-template-columns: 12em 6em 5em 1fr 13em; align-items: center; font-size: 0.85em;
                         border-bottom: 1px solid #eee; }
        #fairness .bar { position: relative; height: 12px; background: #f2f2f2; }
        #fairness .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #5b9bd5; }
        #fairness .fill.over { background: #ed7d31; }
        #fairness .target { position: absolute; top: -3px; bottom: -3px; width: 2px; background: #222; }
        iframe.tables, iframe.diff { width: 100%; height: 50vh; border: 1px solid #ccc; }
        #violations:empty { display: none; }
        .gridwrap { overflow: auto; max-height: 75vh; border: 1px solid #ccc; }
        table.availability { border-collapse: collapse; font-size: 0.8em; }
        table.availability th, table.availability td { border: 1px solid #ccc; padding: 1px 3px; text-align: center; min-width: 1.8em; }
        table.availability thead th { position: sticky; top: 0; background: #ddebf7; }
        table.availability th.name { position: sticky; left: 0; background: #fff; text-align: left; white-space: nowrap; }
        table.availability .holiday { background: #fde9e7; }
        table.availability .saturday { background: #e8f0fb; }
        table.availability td { cursor: pointer; }
        table.availability td.unavailable { background: #c00000; color: white; }
        table.availability td.avoid { background: #ffd966; }
        table.availability td .part { font-size: 0.85em; display: block; }
        #tools fieldset { display: inline-block; margin-right: 1em; }
        """

    static let monthScript = #"""
        const month = document.getElementById('plan').dataset.month;
        const progress = document.getElementById('progress');
        const chart = document.getElementById('chart');
        const points = [];
        function number(x) { return x === undefined || x === null ? '—' : x.toFixed(2); }
        function signed(x) { return (x > 0.005 ? '+' : x < -0.005 ? '−' : '±') + Math.abs(x).toFixed(2).replace(/\.00$/, ''); }
        function el(tag, attrs, text) {
          const e = document.createElement(tag);
          Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
          if (text !== undefined) { e.textContent = text; }
          return e;
        }
        async function problemText(response) {
          try {
            const body = await response.json();
            if (body.problems) { return body.problems.map(function (p) { return p.path + ': ' + (p.japanese || p.message); }).join('\n'); }
            return (body.error && body.error.message) || response.statusText;
          } catch (e) { return response.statusText; }
        }

        // --- Plan runs: live progress over server-sent events ---
        function draw() {
          const ns = 'http://www.w3.org/2000/svg';
          while (chart.firstChild) { chart.removeChild(chart.firstChild); }
          const values = points.flatMap(function (p) { return [p.incumbent, p.bound]; }).filter(function (v) { return v != null && isFinite(v); });
          if (values.length === 0) { return; }
          const lo = Math.min.apply(null, values), hi = Math.max.apply(null, values), span = Math.max(hi - lo, 1);
          const last = Math.max(points[points.length - 1].seconds || 1, 1);
          const x = function (p) { return 60 + 410 * (p.seconds || 0) / last; };
          const y = function (v) { return 105 - 90 * (v - lo) / span; };
          const label = function (text, tx, ty, color) {
            const t = document.createElementNS(ns, 'text');
            t.setAttribute('x', tx); t.setAttribute('y', ty); t.setAttribute('font-size', '10'); t.setAttribute('fill', color || '#444');
            t.textContent = text;
            chart.appendChild(t);
          };
          label(hi.toFixed(0), 4, y(hi) + 4); label(lo.toFixed(0), 4, y(lo) + 4);
          label(last.toFixed(0) + ' 秒', 440, 118);
          label('━ 目的関数', 60, 118, '#1f4e79'); label('━ 下界', 150, 118, '#c00000');
          ['incumbent', 'bound'].forEach(function (key, k) {
            const color = k === 0 ? '#1f4e79' : '#c00000';
            const shown = points.filter(function (p) { return p[key] != null && isFinite(p[key]); });
            const line = document.createElementNS(ns, 'polyline');
            line.setAttribute('fill', 'none');
            line.setAttribute('stroke', color);
            line.setAttribute('points', shown.map(function (p) { return x(p) + ',' + y(p[key]); }).join(' '));
            chart.appendChild(line);
            shown.forEach(function (p) {
              const dot = document.createElementNS(ns, 'circle');
              dot.setAttribute('cx', x(p)); dot.setAttribute('cy', y(p[key])); dot.setAttribute('r', 2); dot.setAttribute('fill', color);
              chart.appendChild(dot);
            });
          });
        }
        function show(run) {
          const states = { running: '計画中', done: '完了', failed: '失敗', cancelled: '取り消し' };
          progress.textContent = (states[run.state] || run.state) + '　目的関数 ' + number(run.incumbent) + '　下界 ' + number(run.bound)
            + '　ギャップ ' + (run.gap == null ? '—' : (run.gap * 100).toFixed(1) + '%') + '　' + number(run.seconds) + ' 秒'
            + (run.message ? '　' + run.message : '');
          if (run.seconds != null && run.state === 'running') { points.push(run); }
          chart.style.display = points.length > 0 ? '' : 'none';
          draw();
        }
        let current = null;
        document.getElementById('cancel').addEventListener('click', function () {
          if (current) { fetch('/api/runs/' + current + '/cancel', { method: 'POST' }); }
        });
        function follow(id) {
          current = id;
          document.getElementById('cancel').disabled = false;
          const events = new EventSource('/api/runs/' + id + '/events');
          events.addEventListener('progress', function (e) { show(JSON.parse(e.data)); });
          events.addEventListener('end', function (e) {
            const run = JSON.parse(e.data);
            show(run); events.close();
            if (run.state === 'done') { setTimeout(function () { location.reload(); }, 500); }
            else { document.getElementById('cancel').disabled = true; }
          });
        }
        document.getElementById('run').addEventListener('submit', async function (e) {
          e.preventDefault();
          const form = new FormData(e.target);
          const response = await fetch('/api/months/' + month + '/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ engine: form.get('engine'), timeLimit: Number(form.get('timeLimit')) }) });
          if (response.status === 202) { points.length = 0; follow((await response.json()).id); }
          else { progress.textContent = await problemText(response); }
        });
        // A reloaded page, or a second browser, follows the run already going; otherwise it
        // shows how the last run ended.
        fetch('/api/months/' + month).then(function (r) { return r.json(); }).then(function (m) {
          if (m.runningRun) { follow(m.runningRun); } else if (m.lastRun) { show(m.lastRun); }
        });

        // The hard rules of SPEC sections 3, 4 and 4b in a few Japanese words.
        const ruleNames = { period: '期間', H1: '当番の資格・定員', H2: '時間の重なり', H3: '1日の当番数', H4: '当番の間隔',
          H5: '当番回数の上限', H6: '固定した当番', L1: 'ステーションへの配置', B1: '後方支援病院の指定', B2: 'レスパイト入院',
          B3: 'レスパイト病床数', D1: '副主治医の資格', D2: '副主治医の受け持ち上限' };

        // --- The draft: calendar, filters, highlight, cover panel ---
        let view = null;
        let highlighted = null;
        const hasDraft = document.getElementById('draft').dataset.hasDraft === 'yes';
        const memberById = {};
        function memberName(id) { return memberById[id] ? memberById[id].name : id; }

        async function loadView() {
          const response = await fetch('/api/months/' + month + '/draft/view');
          if (!response.ok) { return; }
          view = await response.json();
          view.members.forEach(function (m) { memberById[m.id] = m; });
          document.getElementById('draftVersion').textContent = '(版 ' + view.version + ')';
          fillFilters();
          render();
        }
        function fillFilters() {
          const fill = function (select, items) {
            if (select.options.length > 1) { return; }
            items.forEach(function (item) { select.appendChild(el('option', { value: item.id }, item.name)); });
          };
          fill(document.getElementById('fBlock'), view.blocks);
          fill(document.getElementById('fDuty'), view.duties);
          fill(document.getElementById('fMember'), view.members.filter(function (m) { return m.duties > 0; }));
        }
        function filters() {
          return { block: document.getElementById('fBlock').value, duty: document.getElementById('fDuty').value,
                   member: document.getElementById('fMember').value };
        }
        function visible(column, cell, f) {
          if (f.duty && column.duty !== f.duty) { return false; }
          if (f.block && column.blocks.indexOf(f.block) < 0
              && !cell.members.some(function (m) { return memberById[m] && memberById[m].block === f.block; })) { return false; }
          if (f.member && cell.members.indexOf(f.member) < 0) { return false; }
          return true;
        }
        function render() {
          const terms = view.terms.map(function (t) { return t.label + ' ' + number(t.value); }).join('、');
          const open = view.uncovered.reduce(function (n, u) { return n + u.missing; }, 0);
          document.getElementById('summary').textContent = '目的関数 ' + number(view.total) + '　空き ' + open + ' 件'
            + (terms ? '　(' + terms + ')' : '');
          const violations = document.getElementById('violations');
          violations.textContent = '';
          view.violations.forEach(function (v) {
            const rule = v.split(':')[0];
            violations.appendChild(el('li', {}, 'ルール違反 (' + (ruleNames[rule] || rule) + '): ' + v));
          });
          const publish = document.querySelector('#publish button');
          publish.disabled = view.violations.length > 0;
          publish.title = view.violations.length > 0 ? 'ルール違反があるため公開できません' : '';
          renderCalendar();
          renderUncovered();
          renderFairness();
        }
        function renderCalendar() {
          const calendar = document.getElementById('calendar');
          calendar.textContent = '';
          const f = filters();
          const byMonth = {};
          view.dates.forEach(function (d, i) {
            const key = d.date.slice(0, 7);
            (byMonth[key] = byMonth[key] || []).push(i);
          });
          Object.keys(byMonth).forEach(function (key) {
            const indices = byMonth[key];
            calendar.appendChild(el('h3', {}, Number(key.slice(0, 4)) + '年' + Number(key.slice(5)) + '月'));
            const table = el('table', { class: 'calendar' });
            const head = table.createTHead().insertRow();
            ['日', '月', '火', '水', '木', '金', '土'].forEach(function (w, k) {
              head.appendChild(el('th', { class: k === 0 ? 'sun' : k === 6 ? 'sat' : '' }, w));
            });
            const body = table.createTBody();
            let row = body.insertRow();
            for (let k = 0; k < view.dates[indices[0]].weekday; k++) { row.appendChild(el('td', { class: 'blank' })); }
            indices.forEach(function (i) {
              const d = view.dates[i];
              if (d.weekday === 0 && row.cells.length > 0) { row = body.insertRow(); }
              const td = el('td', { class: d.dayType === 'holiday' ? 'holiday' : d.dayType === 'saturday' ? 'saturday' : '' });
              const head = el('div');
              head.appendChild(el('span', { class: 'num' }, String(Number(d.date.slice(8)))));
              if (d.holiday) { head.appendChild(el('span', { class: 'hname' }, d.holiday)); }
              td.appendChild(head);
              const list = el('ul');
              view.columns.forEach(function (column, c) {
                const cell = view.cells[i][c];
                if (!cell || !visible(column, cell, f)) { return; }
                const li = el('li', { class: cell.missing > 0 ? 'entry open' : 'entry' });
                const what = el('button', { type: 'button', class: 'what', 'data-date': i, 'data-column': c },
                  column.dutyName + ' ' + column.areaName + ' ' + column.shiftName);
                what.addEventListener('click', function () { openPanel(i, c); });
                li.appendChild(what);
                cell.members.forEach(function (m) {
                  const who = el('button', { type: 'button', class: 'who' + (m === highlighted ? ' highlight' : ''), 'data-member': m }, memberName(m));
                  who.addEventListener('click', function () { highlight(m === highlighted ? null : m); });
                  li.appendChild(who);
                  if (cell.pinned.indexOf(m) >= 0) { li.appendChild(el('span', { class: 'pin', title: '固定' }, '固定')); }
                });
                if (cell.missing > 0) { li.appendChild(el('span', { class: 'openmark' }, cell.missing > 1 ? '（空き×' + cell.missing + '）' : '（空き）')); }
                list.appendChild(li);
              });
              td.appendChild(list);
              row.appendChild(td);
            });
            while (row.cells.length < 7) { row.appendChild(el('td', { class: 'blank' })); }
            calendar.appendChild(table);
          });
        }
        function highlight(member) {
          highlighted = member;
          document.querySelectorAll('#calendar .who, #fairness .row').forEach(function (e) {
            e.classList.toggle('highlight', member !== null && e.dataset.member === member);
          });
          const note = document.getElementById('highlightNote');
          if (member === null) { note.textContent = ''; return; }
          const m = memberById[member];
          note.textContent = memberName(member) + ' の当番 ' + (m ? m.duties : 0) + ' 件 (もう一度押すと解除)';
        }
        function renderUncovered() {
          const table = document.getElementById('uncovered');
          table.textContent = '';
          const head = table.createTHead().insertRow();
          ['日付', '当番', '地区', '時間帯', '不足', '理由'].forEach(function (h) { head.appendChild(el('th', {}, h)); });
          const body = table.createTBody();
          if (view.uncovered.length === 0) { body.insertRow().appendChild(el('td', { colspan: 6 }, '空き枠はありません')); return; }
          view.uncovered.forEach(function (u) {
            const column = view.columns.find(function (c) { return c.duty === u.duty && c.area === u.area && c.shift === u.shift; });
            const row = body.insertRow();
            [u.date, column ? column.dutyName : u.duty, column ? column.areaName : u.area, column ? column.shiftName : u.shift,
             String(u.missing), u.reason || '—'].forEach(function (t) { row.insertCell().textContent = t; });
          });
        }
        function renderFairness() {
          const box = document.getElementById('fairness');
          box.textContent = '';
          const f = filters();
          const members = view.members.filter(function (m) { return m.target !== null && m.target !== undefined
            && (!f.block || m.block === f.block) && (!f.member || m.id === f.member); });
          // One scale per pool: a station's points are not a physician's.
          const scales = {};
          members.forEach(function (m) { scales[m.pool] = Math.max(scales[m.pool] || 1, m.points, m.target); });
          const header = el('div', { class: 'row' });
          ['氏名', 'ブロック', '当番', '点数と目標', '点数 / 目標 (休日)'].forEach(function (h) { header.appendChild(el('strong', {}, h)); });
          box.appendChild(header);
          members.forEach(function (m) {
            const row = el('div', { class: 'row' + (m.id === highlighted ? ' highlight' : ''), 'data-member': m.id });
            row.appendChild(el('span', {}, m.name));
            row.appendChild(el('span', {}, m.blockName));
            row.appendChild(el('span', {}, m.duties + ' 回'));
            const bar = el('div', { class: 'bar', role: 'img', 'aria-label': m.name + ' 点数 ' + number(m.points) + ' 目標 ' + number(m.target) });
            const fill = el('div', { class: 'fill' + (m.points - m.target > 1 ? ' over' : '') });
            fill.style.width = (100 * m.points / scales[m.pool]) + '%';
            const target = el('div', { class: 'target' });
            target.style.left = (100 * m.target / scales[m.pool]) + '%';
            bar.appendChild(fill); bar.appendChild(target);
            row.appendChild(bar);
            row.appendChild(el('span', {}, number(m.points) + ' / ' + number(m.target) + ' (' + m.holidays + ' / ' + number(m.holidayTarget) + ')'));
            row.addEventListener('click', function () { highlight(m.id === highlighted ? null : m.id); });
            box.appendChild(row);
          });
        }
        ['fBlock', 'fDuty', 'fMember'].forEach(function (id) {
          const select = document.getElementById(id);
          if (select) { select.addEventListener('change', function () { renderCalendar(); renderFairness(); }); }
        });

        // --- Fixing a cell by hand ---
        let slot = null;
        function slotOf(i, c) {
          const column = view.columns[c];
          return { duty: column.duty, area: column.area, shift: column.shift, date: view.dates[i].date, i: i, c: c,
                   label: view.dates[i].date + ' ' + column.dutyName + ' ' + column.areaName + ' ' + column.shiftName };
        }
        function openPanel(i, c, exclude) {
          slot = slotOf(i, c);
          const cell = view.cells[i][c];
          if (exclude === undefined) { exclude = cell.missing > 0 ? null : (cell.members[0] || null); }
          slot.exclude = exclude;
          document.getElementById('panel').hidden = false;
          document.getElementById('panelTitle').textContent = slot.label;
          const members = document.getElementById('panelMembers');
          members.textContent = '';
          cell.members.forEach(function (m) {
            const line = el('div', {}, memberName(m) + ' ');
            const pinned = cell.pinned.indexOf(m) >= 0;
            const replace = el('button', { type: 'button' }, m === exclude ? '代わりの候補を表示中' : '代わりを探す');
            replace.disabled = m === exclude;
            replace.addEventListener('click', function () { openPanel(i, c, m); });
            const remove = el('button', { type: 'button' }, '外す');
            remove.addEventListener('click', function () { edit(function (plan) { removeAssignment(plan, slot, m); }, memberName(m) + ' を外しました'); });
            const pin = el('button', { type: 'button', class: 'pinToggle' }, pinned ? '固定を外す' : '固定する');
            pin.addEventListener('click', function () { setPin(m, !pinned); });
            line.appendChild(replace); line.appendChild(remove); line.appendChild(pin);
            members.appendChild(line);
          });
          if (cell.missing > 0) { members.appendChild(el('div', { class: 'openmark' }, 'あと ' + cell.missing + ' 人必要です')); }
          loadCandidates();
        }
        document.getElementById('panelClose') && document.getElementById('panelClose').addEventListener('click', function () {
          document.getElementById('panel').hidden = true;
        });
        async function loadCandidates() {
          const list = document.getElementById('candidates'), unable = document.getElementById('unable');
          list.textContent = ''; unable.textContent = '';
          const status = document.getElementById('panelStatus');
          status.textContent = '候補を調べています…';
          const query = new URLSearchParams({ duty: slot.duty, area: slot.area, date: slot.date, shift: slot.shift });
          if (slot.exclude) { query.set('exclude', slot.exclude); }
          const response = await fetch('/api/months/' + month + '/draft/cover?' + query);
          if (!response.ok) { status.textContent = await problemText(response); return; }
          const cover = await response.json();
          status.textContent = cover.candidates.length === 0 ? 'ルールを守って入れる人はいません'
            : (slot.exclude ? memberName(slot.exclude) + ' の代わりの候補 (目的関数の増え方の小さい順)' : '候補 (目的関数の増え方の小さい順)');
          cover.candidates.slice(0, 10).forEach(function (candidate) {
            const li = el('li', { class: 'candidate' });
            li.appendChild(el('strong', {}, candidate.name));
            li.appendChild(document.createTextNode(' ' + (memberById[candidate.member] ? memberById[candidate.member].blockName : '') + ' ' + signed(candidate.increase) + ' '));
            const choose = el('button', { type: 'button', class: 'choose' }, '選ぶ');
            choose.addEventListener('click', function () { chooseCandidate(candidate); });
            li.appendChild(choose);
            const reasons = candidate.reasons.filter(function (r) { return Math.abs(r.value) >= 0.005; })
              .map(function (r) { return r.label + ' ' + signed(r.value); }).join('、');
            li.appendChild(el('div', { class: 'reasons' }, (reasons || '追加の負担なし')
              + (candidate.swap ? '　交換: ' + candidate.swap.date + ' の当番を ' + candidate.swap.toName + ' に渡す' : '')));
            list.appendChild(li);
          });
          cover.unable.forEach(function (u) { unable.appendChild(el('li', {}, u.name + ': ' + u.japanese)); });
        }
        function same(a, s) { return a.duty === s.duty && a.area === s.area && a.date === s.date && a.shift === s.shift; }
        function removeAssignment(plan, s, member) {
          plan.assignments = plan.assignments.filter(function (a) { return !(same(a, s) && a.member === member); });
        }
        function chooseCandidate(candidate) {
          edit(function (plan) {
            if (slot.exclude) { removeAssignment(plan, slot, slot.exclude); }
            if (candidate.swap) {
              removeAssignment(plan, candidate.swap, candidate.member);
              plan.assignments.push({ duty: candidate.swap.duty, area: candidate.swap.area, date: candidate.swap.date,
                                      shift: candidate.swap.shift, member: candidate.swap.to });
            }
            plan.assignments.push({ duty: slot.duty, area: slot.area, date: slot.date, shift: slot.shift, member: candidate.member });
          }, candidate.name + ' を入れました');
        }
        // Reads the draft with its version, changes it, and saves it only against that
        // version (another browser's save in between gives 409 and a reload, never a silent overwrite).
        async function edit(change, done) {
          const status = document.getElementById('panelStatus');
          const response = await fetch('/api/months/' + month + '/draft');
          const version = response.headers.get('ETag');
          const plan = await response.json();
          change(plan);
          const saved = await fetch('/api/months/' + month + '/draft', { method: 'PUT',
            headers: { 'Content-Type': 'application/json', 'If-Match': version }, body: JSON.stringify(plan) });
          if (saved.status === 409) { status.textContent = await problemText(saved); await loadView(); return; }
          if (!saved.ok) { status.textContent = await problemText(saved); return; }
          const result = await saved.json();
          await loadView();
          const cell = view.cells[slot.i][slot.c];
          status.textContent = done + '。下書き 版 ' + result.version + '、目的関数 ' + number(result.objective)
            + (result.violations.length ? '。ルール違反: ' + result.violations.join(' / ') + ' (保存しましたが、このままでは公開できません)' : '');
          const message = status.textContent;
          if (cell) { openPanel(slot.i, slot.c); }
          document.getElementById('panelStatus').textContent = message;
        }
        async function setPin(member, pinned) {
          const response = await fetch('/api/months/' + month + '/pins', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ duty: slot.duty, area: slot.area, date: slot.date, shift: slot.shift, member: member, pinned: pinned }) });
          if (!response.ok) { document.getElementById('panelStatus').textContent = await problemText(response); return; }
          await loadView();
          openPanel(slot.i, slot.c, slot.exclude);
          document.getElementById('panelStatus').textContent = memberName(member) + (pinned ? ' を固定しました。次の計画でも残ります' : ' の固定を外しました');
        }

        // --- Publishing and members' links ---
        const publishForm = document.getElementById('publish');
        if (publishForm) {
          publishForm.addEventListener('submit', async function (e) {
            e.preventDefault();
            const note = new FormData(e.target).get('note');
            const response = await fetch('/api/months/' + month + '/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ note: note }) });
            if (response.status === 201) { location.reload(); } else { alert(await problemText(response)); }
          });
        }
        document.getElementById('members').addEventListener('click', async function () {
          const members = await (await fetch('/api/months/' + month + '/members')).json();
          const table = document.getElementById('memberTable');
          table.textContent = '';
          members.forEach(function (m) {
            const row = table.insertRow();
            row.insertCell().textContent = m.id;
            row.insertCell().textContent = m.name;
            const link = el('a', { href: m.icsUrl, class: 'ics' }, m.icsUrl);
            row.insertCell().appendChild(link);
            const renew = el('button', { type: 'button' }, 'URL を作り直す');
            renew.title = '今の URL はすぐに使えなくなります (紛失・誤送信のとき)';
            renew.addEventListener('click', async function () {
              if (!confirm(m.name + ' のカレンダー URL を作り直します。今の URL はすぐに使えなくなります。')) { return; }
              const response = await fetch('/api/members/' + encodeURIComponent(m.id) + '/calendar', { method: 'POST' });
              if (!response.ok) { alert(await problemText(response)); return; }
              const renewed = await response.json();
              link.href = renewed.icsUrl; link.textContent = renewed.icsUrl;
            });
            row.insertCell().appendChild(renew);
          });
        });
        const nextForm = document.getElementById('next');
        if (nextForm) {
          nextForm.addEventListener('submit', async function (e) {
            e.preventDefault();
            const response = await fetch('/api/months/' + month + '/next', { method: 'POST' });
            if (response.status !== 201) { alert(await problemText(response)); return; }
            const created = await response.json();
            alert('翌月を作りました。\n' + created.summary.join('\n'));
            location.href = '/months/' + created.id;
          });
        }
        if (hasDraft) { loadView(); }
        """#

    static let availabilityScript = #"""
        const month = document.getElementById('grid').dataset.month;
        const status = document.getElementById('status');
        let data = null;
        // state[member][date] = { day: kind|undefined, shifts: { shift: kind } }
        const state = {};
        function el(tag, attrs, text) {
          const e = document.createElement(tag);
          Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
          if (text !== undefined) { e.textContent = text; }
          return e;
        }
        const symbol = { unavailable: '×', avoid: '△' };
        function cellState(member, date) {
          state[member] = state[member] || {};
          return state[member][date] = state[member][date] || { day: undefined, shifts: {} };
        }
        function apply(mark) {
          const s = cellState(mark.member, mark.date);
          const kind = mark.kind === 'none' ? undefined : mark.kind;
          if (!mark.shift) { s.day = kind; s.shifts = {}; } else if (kind) { s.shifts[mark.shift] = kind; } else { delete s.shifts[mark.shift]; }
        }
        function paint(td, member, date) {
          const s = cellState(member, date);
          td.className = s.day || '';
          td.textContent = s.day ? symbol[s.day] : '';
          Object.keys(s.shifts).forEach(function (shift) {
            const name = (data.shifts.find(function (x) { return x.id === shift; }) || { name: shift }).name;
            td.appendChild(el('span', { class: 'part' }, name.slice(0, 1) + symbol[s.shifts[shift]]));
            if (!s.day) { td.classList.add(s.shifts[shift]); }
          });
          td.title = (data.members.find(function (m) { return m.id === member; }) || {}).name + ' ' + date;
        }
        function mode() {
          return { kind: document.querySelector('input[name=kind]:checked').value, shift: document.getElementById('shift').value || null };
        }
        async function save(marks) {
          status.textContent = '保存しています…';
          const response = await fetch('/api/months/' + month + '/availability', { method: 'POST',
            headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ marks: marks }) });
          let body = {};
          try { body = await response.json(); } catch (e) {}
          if (!response.ok) {
            status.textContent = '保存できませんでした: ' + ((body.problems || []).map(function (p) { return p.path + ': ' + (p.japanese || p.message); }).join('、')
              || (body.error && body.error.message) || response.statusText);
            await load();
            return false;
          }
          status.textContent = '保存しました (' + marks.length + ' マス、版 ' + body.revision + ')';
          return true;
        }
        function render() {
          const table = document.getElementById('availability');
          table.textContent = '';
          const head = table.createTHead().insertRow();
          head.appendChild(el('th', { class: 'name' }, '氏名'));
          data.dates.forEach(function (d) {
            const th = el('th', { class: d.dayType === 'holiday' ? 'holiday' : d.dayType === 'saturday' ? 'saturday' : '', title: d.holiday || '' },
              Number(d.date.slice(8)) + '\n' + '日月火水木金土'[d.weekday]);
            head.appendChild(th);
          });
          const body = table.createTBody();
          const block = document.getElementById('gBlock').value, name = document.getElementById('gName').value.trim();
          data.members.forEach(function (m) {
            if ((block && m.block !== block) || (name && m.name.indexOf(name) < 0 && m.id.indexOf(name) < 0)) { return; }
            const row = body.insertRow();
            row.appendChild(el('th', { class: 'name' }, m.name + (m.pool === 'stations' ? ' (ST)' : '')));
            data.dates.forEach(function (d) {
              const td = row.insertCell();
              td.dataset.member = m.id; td.dataset.date = d.date;
              paint(td, m.id, d.date);
            });
          });
        }
        document.getElementById('availability').addEventListener('click', async function (e) {
          const td = e.target.closest('td');
          if (!td || !td.dataset.member) { return; }
          const m = mode();
          const mark = { member: td.dataset.member, date: td.dataset.date, shift: m.shift, kind: m.kind };
          apply(mark); paint(td, mark.member, mark.date);
          await save([mark]);
        });
        function datesBetween(from, to) {
          const dates = [];
          data.dates.forEach(function (d) { if (d.date >= from && d.date <= to) { dates.push(d.date); } });
          return dates;
        }
        document.getElementById('bulk').addEventListener('submit', async function (e) {
          e.preventDefault();
          const form = new FormData(e.target), m = mode();
          const dates = datesBetween(form.get('from'), form.get('to') || form.get('from'));
          if (dates.length === 0) { status.textContent = '期間の中の日付を選んでください'; return; }
          const marks = dates.map(function (date) { return { member: form.get('member'), date: date, shift: m.shift, kind: m.kind }; });
          marks.forEach(apply);
          if (await save(marks)) { render(); }
        });
        document.getElementById('paste').addEventListener('submit', async function (e) {
          e.preventDefault();
          const form = new FormData(e.target), m = mode();
          const lines = String(form.get('column')).replace(/\r/g, '').split('\n');
          const start = data.dates.findIndex(function (d) { return d.date === form.get('from'); });
          if (start < 0) { status.textContent = '最初の日を期間の中から選んでください'; return; }
          const words = { '×': 'unavailable', 'x': 'unavailable', '不可': 'unavailable', '△': 'avoid', '避けたい': 'avoid', '避': 'avoid',
                          '○': 'none', '〇': 'none', '消す': 'none' };
          const marks = [], unknown = [];
          lines.forEach(function (line, k) {
            const word = line.trim();
            if (!word) { return; }
            if (!(word in words)) { unknown.push((k + 1) + ' 行目「' + word + '」'); return; }
            if (start + k >= data.dates.length) { unknown.push((k + 1) + ' 行目 (期間の外)'); return; }
            marks.push({ member: form.get('member'), date: data.dates[start + k].date, shift: m.shift, kind: words[word] });
          });
          if (unknown.length) { status.textContent = '読めない行があります: ' + unknown.join('、') + '。× 不可 △ 避けたい ○ 消す のどれかにしてください'; return; }
          marks.forEach(apply);
          if (marks.length && await save(marks)) { render(); }
        });
        ['gBlock', 'gName'].forEach(function (id) { document.getElementById(id).addEventListener('input', render); });
        async function load() {
          data = await (await fetch('/api/months/' + month + '/availability')).json();
          Object.keys(state).forEach(function (k) { delete state[k]; });
          data.marks.forEach(apply);
          const shift = document.getElementById('shift');
          if (shift.options.length === 1) {
            data.shifts.forEach(function (s) { shift.appendChild(el('option', { value: s.id }, s.name)); });
            const blocks = {};
            data.members.forEach(function (m) { blocks[m.block] = m.blockName; });
            Object.keys(blocks).forEach(function (b) { document.getElementById('gBlock').appendChild(el('option', { value: b }, blocks[b])); });
            document.querySelectorAll('.memberSelect').forEach(function (select) {
              data.members.forEach(function (m) { select.appendChild(el('option', { value: m.id }, m.name + ' (' + m.id + ')')); });
            });
            document.querySelectorAll('input[type=date]').forEach(function (input) {
              input.min = data.dates[0].date; input.max = data.dates[data.dates.length - 1].date; input.value = data.dates[0].date;
            });
          }
          render();
        }
        load();
        """#
}
