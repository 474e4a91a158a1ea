/** The login screen's words. */
export const text = {
  title: 'Вход в Motorlog',
  login: 'E-mail или телефон',
  password: 'Пароль',
  submit: 'Войти',
  submitting: 'Входим…',
} as const;
