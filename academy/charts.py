"""The portal's chart colours, shared by every chart (reporting and labour market):
dark enough on white for text and lines (WCAG 1.4.11)."""

PALETTE = ["#12355b", "#0b6e69", "#6f42c1", "#b35c00", "#198754", "#6c757d"]
