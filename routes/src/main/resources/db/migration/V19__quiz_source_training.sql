-- Quizzes (issue 7): the database is the source of truth for a quiz's definition, whoever made it. A quiz comes from
-- etc/org.mhero.quiz.cfg ('config': upserted from the file on every poll) or from POST /api/quizzes ('api': written once,
-- never touched by the file). It enrols a contact group's members, the workers with a training, or both.

alter table quiz add column source     text not null default 'config' check (source in ('config', 'api'));
alter table quiz add column group_name text;          -- the contact group (contact_group.name) whose members are enrolled
alter table quiz add column training   text;          -- the training code (training.code, case-insensitive) whose participants are enrolled
alter table quiz add column created_by text;          -- the API user, or org.mhero.quiz
alter table quiz add column closed_by  text;          -- who closed it: an API user, mhero:quiz-close, or org.mhero.quiz (removed from the file)

create index training_code_lower on training (lower(code));
