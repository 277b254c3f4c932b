import { describe, expect, it } from 'vitest';
import { noticeHtmlToText, sanitizeNoticeHtml } from './sanitize.server';

describe('sanitizeNoticeHtml', () => {
  it('keeps formatting, headings, lists and safe links', () => {
    expect(
      sanitizeNoticeHtml(
        '<h2>停水通知</h2><p><strong>时间：</strong>明天 8:00–12:00</p><ul><li>1栋</li><li>2栋</li></ul><p><a href="https://example.com/x">详情</a></p>',
      ),
    ).toBe(
      '<h2>停水通知</h2><p><strong>时间：</strong>明天 8:00–12:00</p><ul><li>1栋</li><li>2栋</li></ul><p><a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">详情</a></p>',
    );
  });

  it('drops scripts, event handlers, styles, images, frames and dangerous URLs', () => {
    const dirty =
      '<p onclick="alert(1)" style="color:red" class="x">hi<script>alert(1)</script></p>' +
      '<img src=x onerror=alert(1)><iframe src="https://evil"></iframe>' +
      '<a href="javascript:alert(1)">a</a><a href="//evil.example">b</a><style>p{}</style>' +
      '<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:alert(1)">m</mi></math>';
    const clean = sanitizeNoticeHtml(dirty);
    expect(clean).not.toMatch(/script|onerror|onclick|style|iframe|img|javascript|evil|svg|xlink/i);
    expect(clean).toContain('<p>hi</p>');
  });

  it('turns pasted divs into paragraphs and removes empty ones', () => {
    expect(sanitizeNoticeHtml('<div>一</div><div> </div><div><span style="x">二</span></div>')).toBe(
      '<p>一</p><p>二</p>',
    );
  });
});

describe('noticeHtmlToText', () => {
  it('gives one line per block and decodes entities', () => {
    expect(
      noticeHtmlToText('<h2>通知</h2><p>A &amp; B</p><ul><li>一</li><li>二</li></ul><p>x<br>y</p>'),
    ).toBe('通知\nA & B\n• 一\n• 二\nx\ny');
  });
});
