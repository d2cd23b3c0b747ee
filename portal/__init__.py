"""The composition layer: the pages and jobs that combine the registry, monitoring and rollout
(the landing page, the main menu, «Журнал изменений», the district dashboard with its checklist
progress, the demo data). Nothing below imports it."""
